using DeepImpression.Cuda.Interop;

namespace DeepImpression.Cuda.Dnn;

/// <summary>
/// How a convolution algorithm is chosen from cuDNN's Find results. The candidates that may run at all are those
/// that succeeded within the workspace limit and, unless TF32 is allowed, run in plain FP32 (FMA math; DEFAULT only
/// where no FMA result exists, which is how cuDNN labels plain kernels on GPUs without tensor cores). Among them:
/// <list type="bullet">
/// <item>by default, the fastest as measured;</item>
/// <item>in deterministic mode, only CUDNN_DETERMINISTIC ones, and the first of them in the fixed order of
/// <see cref="ConvolutionAlgorithmCatalog.DeterministicPreference"/>, never by time: a measured ranking can change
/// from run to run, and a resumed run must make the same choice as the run it continues;</item>
/// <item>a forced algorithm per direction (DEEPIMPRESSION_CONV_ALGORITHMS) wherever it is usable.</item>
/// </list>
/// </summary>
public sealed record ConvolutionPolicy
{
    /// <summary>Environment variable forcing algorithms by direction, read by <see cref="ParseForced"/>.</summary>
    public const string ForcedVariable = "DEEPIMPRESSION_CONV_ALGORITHMS";

    /// <summary>Only CUDNN_DETERMINISTIC algorithms, in a fixed order of preference rather than by measured time.</summary>
    public bool Deterministic { get; init; }
    /// <summary>Algorithms that round inputs to TF32 on tensor cores may run; otherwise plain FP32 only.</summary>
    public bool AllowTf32 { get; init; }

    /// <summary>Algorithms to use by direction whenever Find reports them usable.</summary>
    public IReadOnlyDictionary<ConvolutionDirection, int> Forced { get; init; } = new Dictionary<ConvolutionDirection, int>();

    /// <summary>Reads "forward=1,backward-data=1,backward-filter=5" (directions as <see cref="ConvolutionAlgorithmCatalog.Label"/>).</summary>
    public static IReadOnlyDictionary<ConvolutionDirection, int> ParseForced(string? text)
    {
        var forced = new Dictionary<ConvolutionDirection, int>();
        if (string.IsNullOrWhiteSpace(text)) return forced;
        foreach (var item in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = item.Split('=', StringSplitOptions.TrimEntries);
            var direction = Enum.GetValues<ConvolutionDirection>().Cast<ConvolutionDirection?>()
                .FirstOrDefault(d => ConvolutionAlgorithmCatalog.Label(d!.Value) == parts[0]);
            if (parts.Length != 2 || direction is null || !int.TryParse(parts[1], out var algorithm) || algorithm < 0)
                throw new FormatException($"{ForcedVariable}: '{item}' is not DIRECTION=ALGORITHM with DIRECTION forward, backward-data or backward-filter.");
            forced[direction.Value] = algorithm;
        }
        return forced;
    }

    /// <summary>The choice for one convolution and the rule that made it; throws naming <paramref name="what"/>
    /// when no candidate may run.</summary>
    internal (ConvolutionChoice Choice, string Rule) Choose(ConvolutionDirection direction, IReadOnlyList<ConvolutionCandidate> candidates,
        long workspaceLimit, string what)
    {
        var usable = candidates.Where(c => c.Succeeded && c.WorkspaceBytes <= workspaceLimit).ToList();
        var eligible = AllowTf32 ? usable : usable.Where(c => c.MathType == CuDnnMathType.Fma).ToList();
        if (!AllowTf32 && eligible.Count == 0) eligible = usable.Where(c => c.MathType == CuDnnMathType.Default).ToList();
        if (Deterministic) eligible = eligible.Where(c => c.Deterministic).ToList();

        ConvolutionCandidate? pick = null;
        string rule;
        if (Forced.TryGetValue(direction, out var forced))
        {
            pick = First(eligible, forced);
            rule = $"forced by {ForcedVariable}";
            if (pick is null)
                throw new InvalidOperationException($"{ForcedVariable} asks for {ConvolutionAlgorithmCatalog.Name(direction, forced)} for {what}, " +
                                                    $"but it is not usable here ({Describe(direction, candidates)}).");
        }
        else if (Deterministic)
        {
            var order = ConvolutionAlgorithmCatalog.DeterministicPreference(direction);
            pick = order.Select(a => First(eligible, a)).FirstOrDefault(c => c is not null);
            rule = "first deterministic algorithm in the fixed order " +
                   string.Join(" > ", order.Select(a => ConvolutionAlgorithmCatalog.Name(direction, a)));
        }
        else
        {
            if (eligible.Count > 0) pick = eligible.MinBy(c => c.Milliseconds);
            rule = $"fastest of {eligible.Count} usable";
        }
        if (pick is not { } chosen)
            throw new InvalidOperationException(
                $"cuDNN found no usable {(Deterministic ? "deterministic " : "")}algorithm for {what} within a {workspaceLimit / 1048576} MiB workspace " +
                $"({candidates.Count} candidates{(AllowTf32 ? "" : ", FP32 only")}: {Describe(direction, candidates)}).");
        return (new ConvolutionChoice(chosen.Algorithm, chosen.WorkspaceBytes, AllowTf32 ? chosen.MathType : CuDnnMathType.Fma), rule);
    }

    private static ConvolutionCandidate? First(List<ConvolutionCandidate> candidates, int algorithm)
    {
        int i = candidates.FindIndex(c => c.Algorithm == algorithm);
        return i < 0 ? null : candidates[i];
    }

    internal static string Describe(ConvolutionDirection direction, IEnumerable<ConvolutionCandidate> candidates) =>
        string.Join("; ", candidates.Select(c => c.Succeeded
            ? FormattableString.Invariant(
                $"{ConvolutionAlgorithmCatalog.Name(direction, c.Algorithm)} {c.Milliseconds:F3} ms, {c.WorkspaceBytes / 1048576.0:F1} MiB, {(c.Deterministic ? "deterministic" : "non-deterministic")}, {c.MathType}")
            : $"{ConvolutionAlgorithmCatalog.Name(direction, c.Algorithm)} status {c.Status}"));
}
