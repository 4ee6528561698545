namespace DeepImpression.Train.Analysis.Occlusion;

/// <summary>How values at mask positions become one value per pixel for drawing over a frame.</summary>
public enum PixelProjection
{
    /// <summary>Interpolated between the mask centres (the nearest centre beyond the outermost ones).</summary>
    Bilinear,

    /// <summary>Each pixel takes the value of the nearest mask centre: the raw grid as blocks.</summary>
    Nearest,

    /// <summary>Each pixel takes the mean of the values of every mask covering it (Captum's Occlusion attribution).</summary>
    Coverage,
}
