using DeepImpression.Train.Data.Decoding;

namespace DeepImpression.Train.Analysis.Segments;

/// <summary>How <see cref="SegmentOcclusion"/> masks and predicts.</summary>
public sealed record SegmentOcclusionOptions
{
    /// <summary>Frames per video, spread evenly over it (as the clip cache picks them); null: every frame.</summary>
    public int? Frames { get; init; } = 8;

    /// <summary>The size frames are decoded at; the region maps must have it (the network's test size by default).</summary>
    public FrameSize FrameSize { get; init; } = FrameSize.Network;

    /// <summary>What the pixels of a masked region are replaced by; the input's mean colour by default.</summary>
    public MaskFill Fill { get; init; } = MaskFill.InputMean;

    /// <summary>Of the effect sizes' confidence intervals.</summary>
    public double Confidence { get; init; } = 0.95;

    /// <summary>Frames per chunk of the visual stream.</summary>
    public int ChunkSize { get; init; } = 16;

    /// <summary>Names of the regions to mask, in the legend's words; null: every region of the legend.</summary>
    public IReadOnlyList<string>? Regions { get; init; }
}
