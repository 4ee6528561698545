namespace DeepImpression.Cuda.Dnn;

/// <summary>
/// The convolution algorithms of one backend, as data: one cuDNN search per shape and direction (batch size left
/// out, <see cref="ConvolutionKey.PerExample"/>), its entry kept for printing; every later call with the same key
/// reuses the choice, and a new batch size of a searched shape reuses the algorithm once cuDNN confirms its workspace
/// for that size (a search only when it does not). Thread-safe.
/// </summary>
internal sealed class ConvolutionPlan
{
    private readonly Dictionary<ConvolutionKey, ConvolutionPlanEntry> _searched = new();
    private readonly Dictionary<ConvolutionKey, ConvolutionChoice> _choices = new();
    private readonly List<ConvolutionPlanEntry> _entries = [];
    private readonly object _gate = new();

    /// <summary>Called with each new entry, as it is made (e.g. to print the plan while it forms).</summary>
    public Action<ConvolutionPlanEntry>? Searched { get; init; }

    /// <summary>Algorithm searches made so far (cuDNN Find calls).</summary>
    public int Searches { get { lock (_gate) return _entries.Count; } }

    /// <summary>Distinct full shapes (batch size included) that have a choice.</summary>
    public int Shapes { get { lock (_gate) return _choices.Count; } }

    public IReadOnlyList<ConvolutionPlanEntry> Entries { get { lock (_gate) return _entries.ToArray(); } }

    /// <summary>
    /// The choice for <paramref name="key"/>: cached; or the algorithm searched for the same shape at another batch
    /// size, with the workspace <paramref name="workspaceFor"/> reports for this one (null: not supported, or over
    /// the limit); or a new search.
    /// </summary>
    public ConvolutionChoice Resolve(ConvolutionKey key, Func<ConvolutionKey, ConvolutionPlanEntry> search,
        Func<ConvolutionKey, ConvolutionChoice, long?> workspaceFor)
    {
        lock (_gate)
        {
            if (_choices.TryGetValue(key, out var choice)) return choice;
            if (_searched.TryGetValue(key.PerExample, out var entry) && workspaceFor(key, entry.Choice) is { } bytes)
            {
                choice = entry.Choice with { WorkspaceBytes = bytes };
            }
            else
            {
                entry = search(key);
                _searched[key.PerExample] = entry;
                _entries.Add(entry);
                Searched?.Invoke(entry);
                choice = entry.Choice;
            }
            _choices.Add(key, choice);
            return choice;
        }
    }

    /// <summary>Every search as one line each, in the order they were made.</summary>
    public string Describe()
    {
        lock (_gate)
            return _entries.Count == 0
                ? "no convolution searched yet"
                : string.Join(Environment.NewLine, _entries.Select(e => e.Describe()));
    }
}
