namespace DeepImpression.Cuda.Dnn;

/// <summary>
/// Algorithm choices by <see cref="ConvolutionKey"/>: searched once per shape (cuDNN's Find runs every candidate,
/// which is slow) and reused by every later call with the same shapes.
/// </summary>
internal sealed class ConvolutionAlgorithmCache
{
    private readonly Dictionary<ConvolutionKey, ConvolutionChoice> _choices = new();
    private readonly object _gate = new();

    public int Count { get { lock (_gate) return _choices.Count; } }

    /// <summary>How many times <c>find</c> ran: once per distinct key.</summary>
    public int Searches { get; private set; }

    public ConvolutionChoice GetOrFind(ConvolutionKey key, Func<ConvolutionKey, ConvolutionChoice> find)
    {
        lock (_gate)
        {
            if (_choices.TryGetValue(key, out var choice)) return choice;
            choice = find(key);
            Searches++;
            _choices.Add(key, choice);
            return choice;
        }
    }

    public void Clear()
    {
        lock (_gate) _choices.Clear();
    }
}
