namespace DeepImpression.Core.Tensors;

/// <summary>
/// Deterministic release of intermediate tensors: every tensor created on this thread while a scope is open is
/// disposed when the scope closes, unless it was handed out with <see cref="MoveToOuter"/> or <see cref="Detach"/>.
/// A training step or an inference chunk runs inside one scope, so its activations go back to the backend's pool
/// at once and the steady state allocates nothing new.
/// </summary>
public sealed class TensorScope : IDisposable
{
    [ThreadStatic] private static TensorScope? _current;
    [ThreadStatic] private static int _suspended;

    private readonly TensorScope? _outer;
    private readonly HashSet<Tensor> _tensors = new(ReferenceEqualityComparer.Instance);
    private bool _disposed;

    private TensorScope()
    {
        _outer = _current;
        _current = this;
    }

    /// <summary>Opens a scope on this thread; it becomes the current one until disposed. Scopes nest.</summary>
    public static TensorScope Begin() => new();

    /// <summary>Tensors created inside the returned region belong to no scope (parameters, optimizer state).</summary>
    public static IDisposable Suspend() => new Suspension();

    internal static void Register(Tensor tensor)
    {
        if (_suspended == 0) _current?._tensors.Add(tensor);
    }

    /// <summary>Keeps <paramref name="tensor"/> alive past this scope: it moves to the enclosing scope, if any.</summary>
    public Tensor MoveToOuter(Tensor tensor)
    {
        if (_tensors.Remove(tensor)) _outer?._tensors.Add(tensor);
        return tensor;
    }

    /// <summary>Keeps <paramref name="tensor"/> alive past every scope; the caller disposes it.</summary>
    public static Tensor Detach(Tensor tensor)
    {
        for (var s = _current; s is not null; s = s._outer) s._tensors.Remove(tensor);
        return tensor;
    }

    /// <summary>Disposes every tensor still registered with this scope and makes the enclosing scope current again;
    /// scopes must close in reverse order of opening.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        if (!ReferenceEquals(_current, this))
            throw new InvalidOperationException("Tensor scopes must be closed in the reverse order they were opened.");
        _current = _outer;
        foreach (var t in _tensors) t.Dispose();
        _tensors.Clear();
    }

    private sealed class Suspension : IDisposable
    {
        private bool _done;
        public Suspension() => _suspended++;
        public void Dispose()
        {
            if (_done) return;
            _done = true;
            _suspended--;
        }
    }
}
