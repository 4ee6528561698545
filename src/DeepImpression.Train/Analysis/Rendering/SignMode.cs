namespace DeepImpression.Train.Analysis.Rendering;

/// <summary>Which part of a signed map is shown (Captum's <c>sign</c> of <c>visualize_image_attr</c>).</summary>
public enum SignMode
{
    /// <summary>Both signs, with a diverging colour map and limits symmetric about zero.</summary>
    All,

    /// <summary>Only values above zero (the rest shown as zero), with a sequential colour map.</summary>
    Positive,

    /// <summary>Only values below zero, as magnitudes (−v), with a sequential colour map.</summary>
    Negative,

    /// <summary>|v|, with a sequential colour map.</summary>
    Absolute,
}
