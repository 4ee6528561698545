namespace DeepImpression.Core.Backends.Cpu.Kernels;

/// <summary>A unit of parallel work: <see cref="Execute"/> runs once for every index in [0, count).</summary>
internal interface IParallelBody
{
    /// <param name="index">Which piece of the work.</param>
    /// <param name="worker">The executing participant, in [0, <see cref="CpuWorkers.Count"/>): indexes per-worker scratch.</param>
    void Execute(int index, int worker);
}

/// <summary>
/// A small persistent pool, one per backend: one dedicated thread per core beside the caller's. A parallel region
/// costs a few microseconds (workers spin briefly before sleeping) and does not compete with the .NET thread pool
/// that data loading uses. Work is handed out one index at a time, so a core slowed by other processes simply takes
/// fewer. Regions opened by another thread while one runs wait for it, so per-worker scratch is never shared; a
/// region opened from inside a region of the same pool runs inline on the calling participant, under that
/// participant's worker index. The pool also owns the kernels' per-worker scratch (<see cref="Scratch"/>).
/// </summary>
internal sealed class CpuWorkers : IDisposable
{
    private readonly object _gate = new();
    private readonly Worker[] _helpers;
    private readonly ManualResetEventSlim _allDone = new(false, 200);
    private readonly WorkerSchedule _schedule;
    private readonly Action? _helperCountedOut;

    private IParallelBody? _body;
    private int _count;
    private int _next;
    private int _running;
    private Exception? _failure;
    private volatile bool _disposed;

    /// <summary>Scratch areas by <see cref="PerWorkerScratch.Index"/>, then by worker; grown as kernels first ask.</summary>
    private PinnedScratch[]?[] _scratch = [];

    /// <summary>The pool whose region the calling thread is inside (null outside any), and its index there.</summary>
    [ThreadStatic] private static CpuWorkers? _region;
    [ThreadStatic] private static int _currentWorker;

    /// <param name="count">Participants: the caller plus <paramref name="count"/> − 1 helper threads.</param>
    /// <param name="schedule">Who takes the indices of a region; anything but <see cref="WorkerSchedule.Shared"/> is for
    /// tests that check a kernel's numbers do not depend on which participant ran which piece.</param>
    /// <param name="helperCountedOut">A test seam: runs on the last helper of a region between counting itself out and
    /// signalling the caller, the moment at which the operating system may take its core away for a while.</param>
    public CpuWorkers(int count, WorkerSchedule schedule = WorkerSchedule.Shared, Action? helperCountedOut = null)
    {
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), "at least one participant");
        Count = count;
        _schedule = schedule;
        _helperCountedOut = helperCountedOut;
        _helpers = new Worker[count - 1];
        for (int i = 0; i < _helpers.Length; i++) _helpers[i] = new Worker(this, i + 1);
    }

    /// <summary>Participants in a region: the caller plus the helper threads.</summary>
    public int Count { get; }

    /// <summary>The worker index of the calling thread: its index inside a region of this pool, 0 outside (the caller's slot).</summary>
    public int CurrentWorker => _region == this ? _currentWorker : 0;

    /// <summary>Worker <paramref name="worker"/>'s area of the scratch <paramref name="slot"/> names.</summary>
    public PinnedScratch Scratch(PerWorkerScratch slot, int worker)
    {
        var table = Volatile.Read(ref _scratch);
        if (slot.Index < table.Length && table[slot.Index] is { } areas) return areas[worker];
        lock (_helpers)
        {
            table = _scratch;
            if (slot.Index >= table.Length) Array.Resize(ref table, Math.Max(slot.Index + 1, 2 * table.Length));
            var row = table[slot.Index] ??= Enumerable.Range(0, Count).Select(_ => new PinnedScratch()).ToArray();
            Volatile.Write(ref _scratch, table);
            return row[worker];
        }
    }

    /// <summary>Floats held by every kernel's scratch in this pool.</summary>
    public long ScratchCapacity
    {
        get
        {
            lock (_helpers) return _scratch.Sum(row => row?.Sum(s => (long)s.Capacity) ?? 0);
        }
    }

    /// <summary>Gives every kernel's scratch back to the GC, while no kernel runs; kernels grow it again as needed.</summary>
    public void ReleaseScratch()
    {
        lock (_gate)
            lock (_helpers)
                foreach (var row in _scratch)
                    if (row is not null)
                        foreach (var area in row) area.Release();
    }

    /// <summary>Runs <paramref name="body"/> for every index in [0, count), spread over the cores; returns when all are done.</summary>
    public void For<TBody>(int count, TBody body) where TBody : class, IParallelBody
    {
        if (count <= 0) return;
        if (_region == this)
        {
            int self = _currentWorker;
            for (int i = 0; i < count; i++) body.Execute(i, self);
            return;
        }
        Monitor.Enter(_gate);
        var (outer, outerWorker) = (_region, _currentWorker);
        try
        {
            if (count == 1 || _helpers.Length == 0 || _schedule is WorkerSchedule.CallerOnly or WorkerSchedule.CallerBackwards)
            {
                Enter(0);
                if (_schedule == WorkerSchedule.CallerBackwards) for (int i = count - 1; i >= 0; i--) body.Execute(i, 0);
                else for (int i = 0; i < count; i++) body.Execute(i, 0);
                return;
            }
            _body = body;
            _count = count;
            _next = 0;
            _failure = null;
            int helpers = Math.Min(_helpers.Length, count - 1);
            _running = helpers;
            _allDone.Reset();
            for (int i = 0; i < helpers; i++) _helpers[i].Wake();
            if (_schedule != WorkerSchedule.HelpersOnly)
            {
                Enter(0);
                Drain(0);
            }
            // Always wait for the event, never just for _running to read 0: the last helper decrements _running
            // before it sets the event, and a caller that left on seeing 0 could reset the event for its next
            // region before that Set landed, which would then release the next region's wait while a helper
            // still works on it (the caller read half-accumulated GEMM tiles, rarely, with no error).
            _allDone.Wait();
            _body = null;
            if (_failure is { } failure) throw new AggregateException("A parallel CPU kernel failed.", failure);
        }
        finally
        {
            (_region, _currentWorker) = (outer, outerWorker);
            Monitor.Exit(_gate);
        }
    }

    /// <summary>
    /// Runs <paramref name="body"/> for every index in order on the calling thread, as worker 0 (or, inside a region,
    /// as the current worker), holding the pool so that worker 0's scratch is this thread's; regions opened by the
    /// body still spread over the cores.
    /// </summary>
    public void Serial<TBody>(int count, TBody body) where TBody : class, IParallelBody
    {
        if (count <= 0) return;
        if (_region == this)
        {
            int self = _currentWorker;
            for (int i = 0; i < count; i++) body.Execute(i, self);
            return;
        }
        lock (_gate)
        {
            for (int i = 0; i < count; i++) body.Execute(i, 0);
        }
    }

    /// <summary>Marks the calling thread as participant <paramref name="worker"/> of this pool's region (the caller
    /// leaves it again in <see cref="For"/>'s finally).</summary>
    private void Enter(int worker)
    {
        _region = this;
        _currentWorker = worker;
    }

    private void Drain(int worker)
    {
        var body = _body!;
        int count = _count;
        try
        {
            int i;
            while ((i = Interlocked.Increment(ref _next) - 1) < count) body.Execute(i, worker);
        }
        catch (Exception e)
        {
            Interlocked.CompareExchange(ref _failure, e, null);
            Volatile.Write(ref _next, count);
        }
    }

    /// <summary>Ends the helper threads (after any region in flight).</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            foreach (var helper in _helpers) helper.Wake();
        }
    }

    private sealed class Worker
    {
        private readonly ManualResetEventSlim _wake = new(false, 2000);
        private readonly CpuWorkers _pool;
        private readonly int _index;

        public Worker(CpuWorkers pool, int index)
        {
            _pool = pool;
            _index = index;
            new Thread(Loop) { IsBackground = true, Name = $"cpu-kernel-{index}" }.Start();
        }

        public void Wake() => _wake.Set();

        private void Loop()
        {
            _pool.Enter(_index);
            while (true)
            {
                _wake.Wait();
                _wake.Reset();
                if (_pool._disposed) return;
                _pool.Drain(_index);
                if (Interlocked.Decrement(ref _pool._running) == 0)
                {
                    _pool._helperCountedOut?.Invoke();
                    _pool._allDone.Set();
                }
            }
        }
    }
}

/// <summary>How <see cref="CpuWorkers"/> hands out the indices of a region.</summary>
internal enum WorkerSchedule
{
    /// <summary>The caller and the helpers take indices as they become free (the normal case).</summary>
    Shared,

    /// <summary>The caller runs every index, as worker 0.</summary>
    CallerOnly,

    /// <summary>The helpers run every index; the caller only waits.</summary>
    HelpersOnly,

    /// <summary>The caller runs every index, last first: pieces that write outside their own part of the output
    /// would clobber their neighbours' results in this order.</summary>
    CallerBackwards,
}
