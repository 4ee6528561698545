namespace DeepImpression.Core.Backends.Cpu.Kernels;

/// <summary>A unit of parallel work: <see cref="Execute"/> runs once for every index in [0, count).</summary>
internal interface IParallelBody
{
    /// <param name="index">Which piece of the work.</param>
    /// <param name="worker">The executing participant, in [0, <see cref="CpuWorkers.Count"/>): indexes per-worker scratch.</param>
    void Execute(int index, int worker);
}

/// <summary>
/// A small persistent pool: one dedicated thread per core beside the caller's. A parallel region costs a few
/// microseconds (workers spin briefly before sleeping) and does not compete with the .NET thread pool that data
/// loading uses. Work is handed out one index at a time, so a core slowed by other processes simply takes fewer.
/// Regions opened by another thread while one runs wait for it, so per-worker scratch is never shared; a region
/// opened from inside a region runs inline on the calling participant, under that participant's worker index.
/// </summary>
internal static class CpuWorkers
{
    private static readonly object Gate = new();
    private static readonly Worker[] Helpers;
    private static readonly ManualResetEventSlim AllDone = new(false, 200);

    private static IParallelBody? _body;
    private static int _count;
    private static int _next;
    private static int _running;
    private static Exception? _failure;

    [ThreadStatic] private static bool _insideRegion;
    [ThreadStatic] private static int _currentWorker;

    static CpuWorkers()
    {
        Count = CpuThreads.Start();
        Helpers = new Worker[Count - 1];
        for (int i = 0; i < Helpers.Length; i++) Helpers[i] = new Worker(i + 1);
    }

    /// <summary>
    /// Who takes the indices of a region; anything but <see cref="WorkerSchedule.Shared"/> is for tests that check a
    /// kernel's numbers do not depend on which participant ran which piece.
    /// </summary>
    internal static WorkerSchedule Schedule { get; set; }

    /// <summary>
    /// A test seam: runs on the last helper of a region between counting itself out and signalling the caller, the
    /// moment at which the operating system may take its core away for a while.
    /// </summary>
    internal static Action? HelperCountedOut { get; set; }

    /// <summary>Participants in a region: the caller plus the helper threads.</summary>
    public static int Count { get; }

    /// <summary>The worker index of the calling thread: its index inside a region, 0 outside (the caller's slot).</summary>
    public static int CurrentWorker => _insideRegion ? _currentWorker : 0;

    /// <summary>Runs <paramref name="body"/> for every index in [0, count), spread over the cores; returns when all are done.</summary>
    public static void For<TBody>(int count, TBody body) where TBody : class, IParallelBody
    {
        if (count <= 0) return;
        if (_insideRegion)
        {
            int self = _currentWorker;
            for (int i = 0; i < count; i++) body.Execute(i, self);
            return;
        }
        Monitor.Enter(Gate);
        try
        {
            if (count == 1 || Helpers.Length == 0 || Schedule is WorkerSchedule.CallerOnly or WorkerSchedule.CallerBackwards)
            {
                _insideRegion = true;
                try
                {
                    if (Schedule == WorkerSchedule.CallerBackwards) for (int i = count - 1; i >= 0; i--) body.Execute(i, 0);
                    else for (int i = 0; i < count; i++) body.Execute(i, 0);
                }
                finally { _insideRegion = false; }
                return;
            }
            _body = body;
            _count = count;
            _next = 0;
            _failure = null;
            int helpers = Math.Min(Helpers.Length, count - 1);
            _running = helpers;
            AllDone.Reset();
            for (int i = 0; i < helpers; i++) Helpers[i].Wake();
            if (Schedule != WorkerSchedule.HelpersOnly)
            {
                _insideRegion = true;
                try { Drain(0); }
                finally { _insideRegion = false; }
            }
            // Always wait for the event, never just for _running to read 0: the last helper decrements _running
            // before it sets the event, and a caller that left on seeing 0 could reset the event for its next
            // region before that Set landed, which would then release the next region's wait while a helper
            // still works on it (the caller read half-accumulated GEMM tiles, rarely, with no error).
            AllDone.Wait();
            _body = null;
            if (_failure is { } failure) throw new AggregateException("A parallel CPU kernel failed.", failure);
        }
        finally
        {
            Monitor.Exit(Gate);
        }
    }

    /// <summary>
    /// Runs <paramref name="body"/> for every index in order on the calling thread, as worker 0 (or, inside a region,
    /// as the current worker), holding the pool so that worker 0's scratch is this thread's; regions opened by the
    /// body still spread over the cores.
    /// </summary>
    public static void Serial<TBody>(int count, TBody body) where TBody : class, IParallelBody
    {
        if (count <= 0) return;
        if (_insideRegion)
        {
            int self = _currentWorker;
            for (int i = 0; i < count; i++) body.Execute(i, self);
            return;
        }
        lock (Gate)
        {
            for (int i = 0; i < count; i++) body.Execute(i, 0);
        }
    }

    private static void Drain(int worker)
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

    private sealed class Worker
    {
        private readonly ManualResetEventSlim _wake = new(false, 2000);
        private readonly int _index;

        public Worker(int index)
        {
            _index = index;
            new Thread(Loop) { IsBackground = true, Name = $"cpu-kernel-{index}" }.Start();
        }

        public void Wake() => _wake.Set();

        private void Loop()
        {
            _insideRegion = true;
            _currentWorker = _index;
            while (true)
            {
                _wake.Wait();
                _wake.Reset();
                Drain(_index);
                if (Interlocked.Decrement(ref _running) == 0)
                {
                    HelperCountedOut?.Invoke();
                    AllDone.Set();
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
