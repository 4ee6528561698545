namespace DeepImpression.Train.Analysis.Rendering;

/// <summary>How a map meets the picture under it (Captum's <c>method</c> of <c>visualize_image_attr</c>).</summary>
public enum HeatMapMethod
{
    /// <summary>The colour-mapped values alone.</summary>
    HeatMap,

    /// <summary>The colour-mapped values over the picture (in grey unless asked otherwise) with the overlay's opacity.</summary>
    BlendedHeatMap,

    /// <summary>The picture multiplied by the normalised magnitude: only what matters stays visible. Not with <see cref="SignMode.All"/>.</summary>
    MaskedImage,

    /// <summary>The picture over white with the normalised magnitude as its opacity. Not with <see cref="SignMode.All"/>.</summary>
    AlphaScaling,

    /// <summary>The picture alone (for a figure's reference panel).</summary>
    OriginalImage,
}
