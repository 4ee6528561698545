namespace DeepImpression.Core.Backends.Cpu.Convolution;

/// <summary>
/// The algorithms the CPU backend runs for one convolution (shapes, geometry, batch, instruction set), chosen once by
/// <see cref="ConvolutionPlanner"/>, and the reserve that follows from them: a training forward keeps what it builds
/// only when the filter gradient reads the very same thing, so the size is a consequence of the pair, never a
/// second dispatch kept in step by hand.
/// </summary>
public sealed record ConvolutionPlan
{
    internal ConvolutionPlan(ForwardAlgorithm forward, DataGradientAlgorithm dataGradient, FilterGradientAlgorithm filterGradient,
        long reserveFloats)
    {
        Forward = forward;
        DataGradient = dataGradient;
        FilterGradient = filterGradient;
        ReserveFloats = reserveFloats;
    }

    /// <summary>How the forward pass (and the inference pass) computes.</summary>
    public ForwardAlgorithm Forward { get; }
    /// <summary>How the gradient of the input computes.</summary>
    public DataGradientAlgorithm DataGradient { get; }
    /// <summary>How the gradient of the filters computes.</summary>
    public FilterGradientAlgorithm FilterGradient { get; }

    /// <summary>Floats a training forward fills for the filter gradient (<see cref="IBackend.ConvolutionReserveSize"/>).</summary>
    public long ReserveFloats { get; }

    /// <summary>The plan for these algorithms: the reserve is what the forward builds if the filter gradient reads it.</summary>
    internal static ConvolutionPlan Of(in ConvShape s, int n, ForwardAlgorithm forward, DataGradientAlgorithm dataGradient,
        FilterGradientAlgorithm filterGradient)
    {
        bool empty = n == 0 || s.OutputPlane == 0 || s.K == 0 || s.Patch == 0;
        var kept = Built(forward);
        long reserve = !empty && kept != Intermediate.None && kept == Read(filterGradient) ? Size(kept, s, n) : 0;
        return new ConvolutionPlan(forward, dataGradient, filterGradient, reserve);
    }

    /// <summary>"fwd indirect, dgrad transposed-indirect, wgrad dots/phase-grid": for logs and <c>deepimpression bench</c>.</summary>
    public override string ToString() =>
        $"fwd {Name(Forward)}, dgrad {Name(DataGradient)}, wgrad {Name(FilterGradient)}" +
        (ReserveFloats > 0 ? $", reserve {ReserveFloats * 4 / 1048576.0:F1} MiB" : "");

    /// <summary>An algorithm's name in lower case with words hyphenated (TransposedWholeBatchPhaseGrid: transposed-whole-batch-phase-grid).</summary>
    public static string Name(Enum algorithm) => Name(algorithm.ToString());

    private static string Name(string pascal) =>
        string.Concat(pascal.Select((ch, i) => i > 0 && char.IsUpper(ch) ? "-" + char.ToLowerInvariant(ch) : char.ToLowerInvariant(ch).ToString()));

    /// <summary>What a forward builds that a filter gradient could read instead of building it again.</summary>
    private enum Intermediate { None, PhaseGrid }

    private static Intermediate Built(ForwardAlgorithm forward) => forward switch
    {
        ForwardAlgorithm.Indirect or ForwardAlgorithm.WholeBatchPhaseGrid => Intermediate.PhaseGrid,
        _ => Intermediate.None,
    };

    private static Intermediate Read(FilterGradientAlgorithm filter) => filter switch
    {
        FilterGradientAlgorithm.DotsOverPhaseGrid or FilterGradientAlgorithm.GemmOverPhaseGrid => Intermediate.PhaseGrid,
        _ => Intermediate.None,
    };

    private static long Size(Intermediate what, in ConvShape s, int n) => what switch
    {
        Intermediate.PhaseGrid => new PhaseGrid(s, n).Size(s),
        _ => 0,
    };
}
