namespace DeepImpression.Train.Analysis.Occlusion;

/// <summary>The settings of a pixel-level occlusion map; the defaults are the poster's (10 x 10 masks every 4 pixels,
/// filled with the frame's mean colour).</summary>
public sealed record PixelOcclusionOptions
{
    /// <summary>Mask height and width in pixels (Captum's <c>sliding_window_shapes</c>).</summary>
    public (int H, int W) MaskSize { get; init; } = (10, 10);

    /// <summary>Mask centres every this many pixels down and across (Captum's <c>strides</c>).</summary>
    public (int H, int W) Stride { get; init; } = (4, 4);

    /// <summary>What fills a mask (Captum's <c>baselines</c>).</summary>
    public MaskFill Fill { get; init; } = MaskFill.InputMean;

    /// <summary>Frames spread over the clip that are masked, their visual features averaged as at test time.</summary>
    public int Frames { get; init; } = 1;

    /// <summary>How the masked predictions are computed: incrementally (only the part of each layer a mask reaches) or by a full pass per mask; both give the same numbers.</summary>
    public OcclusionMethod Method { get; init; } = OcclusionMethod.Incremental;

    /// <summary>Masked inputs per batch on the device (Captum's <c>perturbations_per_eval</c>).</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>Checks the numbers; one message naming the option.</summary>
    public PixelOcclusionOptions Validated()
    {
        if (MaskSize.H < 1 || MaskSize.W < 1) throw new Core.InvalidInputException($"--size must be at least 1x1, got {MaskSize.H}x{MaskSize.W}.");
        if (Stride.H < 1 || Stride.W < 1) throw new Core.InvalidInputException($"--stride must be at least 1, got {Stride.H}x{Stride.W}.");
        if (Frames < 1) throw new Core.InvalidInputException($"--frames must be at least 1, got {Frames}.");
        if (BatchSize < 1) throw new Core.InvalidInputException($"--batch must be at least 1, got {BatchSize}.");
        return this;
    }
}
