namespace DeepImpression.Train.Analysis.Occlusion;

/// <summary>How the masked inputs' features are computed; both give the same maps (to float rounding).</summary>
public enum OcclusionMethod
{
    /// <summary>Recompute only what each mask changes, layer by layer, from the cached unmasked activations.</summary>
    Incremental,

    /// <summary>A full forward of every masked input, in batches (what Captum's Occlusion does).</summary>
    Naive,
}
