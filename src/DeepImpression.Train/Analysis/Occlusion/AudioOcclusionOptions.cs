using DeepImpression.Core;

namespace DeepImpression.Train.Analysis.Occlusion;

/// <summary>The settings of a temporal audio occlusion: windows of the waveform (16 kHz samples) replaced by silence
/// unless asked otherwise; the visual features come from every frame (the test-time procedure) unless
/// <see cref="Frames"/> says how many.</summary>
public sealed record AudioOcclusionOptions
{
    /// <summary>Samples per masked window (default 0.5 s).</summary>
    public int Window { get; init; } = 8_000;

    /// <summary>Samples between window starts (default 0.25 s).</summary>
    public int Hop { get; init; } = 4_000;

    /// <summary>What a masked window of the waveform is replaced by; silence (zero) by default.</summary>
    public MaskFill Fill { get; init; } = MaskFill.Constant(0f);

    /// <summary>Frames spread over the clip for the (fixed) visual features; null for every frame.</summary>
    public int? Frames { get; init; }

    /// <summary>How the masked predictions are computed: incrementally (only what a mask changes) or by a full pass per mask; both give the same numbers.</summary>
    public OcclusionMethod Method { get; init; } = OcclusionMethod.Incremental;

    /// <summary>Masked waveforms per batch on the device.</summary>
    public int BatchSize { get; init; } = 16;

    /// <summary>Checks the numbers; one message naming the option.</summary>
    public AudioOcclusionOptions Validated()
    {
        if (Window < 1) throw new InvalidInputException($"--window must be at least one sample, got {Window}.");
        if (Hop < 1) throw new InvalidInputException($"--hop must be at least one sample, got {Hop}.");
        if (Frames is < 1) throw new InvalidInputException($"--frames must be at least 1, got {Frames}.");
        if (BatchSize < 1) throw new InvalidInputException($"--batch must be at least 1, got {BatchSize}.");
        return this;
    }
}
