namespace DeepImpression.Train.Serving;

/// <summary>
/// Admission to the model, which is big and analyses one clip at a time. A request is admitted (or refused at once
/// when <see cref="Capacity"/> requests are already in: the running one and <see cref="WaitingCapacity"/> waiting),
/// receives and checks its upload, then waits for its turn on the model. Leaving (finishing, failing, or a client
/// that disconnects while waiting) frees the place at once. <see cref="Close"/> refuses new requests and turns away
/// those still waiting, while the running one finishes: what a graceful shutdown needs.
/// </summary>
internal sealed class AnalysisQueue : IDisposable
{
    private readonly SemaphoreSlim _model = new(1, 1);
    private readonly CancellationTokenSource _closing = new();
    private readonly Lock _lock = new();
    private int _admitted;
    private int _running;
    private double _meanAnalysisSeconds;

    /// <param name="waitingCapacity">Requests that may wait while one runs (0: only the running one).</param>
    /// <param name="expectedAnalysisSeconds">Guess at one analysis's length until the first one is measured.</param>
    public AnalysisQueue(int waitingCapacity, double expectedAnalysisSeconds = 10)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(waitingCapacity);
        WaitingCapacity = waitingCapacity;
        _meanAnalysisSeconds = expectedAnalysisSeconds;
    }

    /// <summary>Requests that may wait behind the running one.</summary>
    public int WaitingCapacity { get; }

    /// <summary>Requests admitted at most at one time: the running one and the waiting ones.</summary>
    public int Capacity => WaitingCapacity + 1;

    /// <summary>True once <see cref="Close"/> was called.</summary>
    public bool IsClosed => _closing.IsCancellationRequested;

    /// <summary>Analyses running now (0 or 1).</summary>
    public int Running { get { lock (_lock) return _running; } }

    /// <summary>Admitted requests not running yet (receiving, checking, or waiting for the model).</summary>
    public int Waiting { get { lock (_lock) return _admitted - _running; } }

    /// <summary>
    /// How long a refused client should wait before trying again: the mean analysis time times the requests ahead,
    /// rounded up to whole seconds.
    /// </summary>
    public TimeSpan RetryAfter
    {
        get
        {
            lock (_lock) return TimeSpan.FromSeconds(Math.Max(1, Math.Ceiling(_meanAnalysisSeconds * Math.Max(1, _admitted))));
        }
    }

    /// <summary>A place in the queue, or null when it is full or closed.</summary>
    public Admission? TryAdmit()
    {
        lock (_lock)
        {
            if (IsClosed || _admitted >= Capacity) return null;
            _admitted++;
            return new Admission(this);
        }
    }

    /// <summary>Refuses new requests and turns away the waiting ones; the running one goes on.</summary>
    public void Close() => _closing.Cancel();

    /// <inheritdoc />
    public void Dispose()
    {
        _closing.Dispose();
        _model.Dispose();
    }

    private async Task EnterAsync(CancellationToken cancellation)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellation, _closing.Token);
        try
        {
            await _model.WaitAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
        {
            throw new QueueClosedException();
        }
        lock (_lock) _running++;
    }

    private void ExitModel(TimeSpan elapsed)
    {
        lock (_lock)
        {
            _running--;
            // A moving average: recent clips say more about the next wait than old ones.
            _meanAnalysisSeconds = 0.7 * _meanAnalysisSeconds + 0.3 * elapsed.TotalSeconds;
        }
        _model.Release();
    }

    private void Leave()
    {
        lock (_lock) _admitted--;
    }

    /// <summary>A request's place in the queue; disposing it leaves the queue (and the model, if it has it).</summary>
    public sealed class Admission : IDisposable
    {
        private readonly AnalysisQueue _queue;
        private long _turnStarted;
        private bool _hasTurn;
        private bool _left;

        internal Admission(AnalysisQueue queue) => _queue = queue;

        /// <summary>
        /// Waits until the model is free and takes it. Throws <see cref="OperationCanceledException"/> when
        /// <paramref name="cancellation"/> fires (the client went away) and <see cref="QueueClosedException"/> when the
        /// server shuts down first.
        /// </summary>
        public async Task WaitForTurnAsync(CancellationToken cancellation)
        {
            ObjectDisposedException.ThrowIf(_left, this);
            if (_hasTurn) throw new InvalidOperationException("This request has the model already.");
            await _queue.EnterAsync(cancellation).ConfigureAwait(false);
            _hasTurn = true;
            _turnStarted = System.Diagnostics.Stopwatch.GetTimestamp();
        }

        /// <inheritdoc />
        public void Dispose()
        {
            if (_left) return;
            _left = true;
            if (_hasTurn) _queue.ExitModel(System.Diagnostics.Stopwatch.GetElapsedTime(_turnStarted));
            _queue.Leave();
        }
    }
}

/// <summary>The server began shutting down before a waiting request's turn came.</summary>
internal sealed class QueueClosedException() : Exception("The server is shutting down.");
