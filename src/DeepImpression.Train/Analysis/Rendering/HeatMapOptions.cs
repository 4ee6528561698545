namespace DeepImpression.Train.Analysis.Rendering;

/// <summary>Everything that decides how <see cref="HeatMapFigure"/> draws a map; the defaults make a blended,
/// signed figure with a colour bar.</summary>
public sealed record HeatMapOptions
{
    /// <summary>Which values are shown (Captum's <c>sign</c>).</summary>
    public SignMode Sign { get; init; } = SignMode.All;

    /// <summary>How the map meets the picture (Captum's <c>method</c>).</summary>
    public HeatMapMethod Method { get; init; } = HeatMapMethod.BlendedHeatMap;

    /// <summary>The colour map; null picks <see cref="ColorMap.Diverging"/> for <see cref="SignMode.All"/> and
    /// <see cref="ColorMap.Sequential"/> otherwise.</summary>
    public ColorMap? ColorMap { get; init; }

    /// <summary>The magnitude at the colour bar's ends; null fits it to the map (see <see cref="Percentile"/>).
    /// Give the same limit to several figures to compare them by colour.</summary>
    public double? Limit { get; init; }

    /// <summary>With no <see cref="Limit"/>: the percentile of the magnitudes that becomes the limit (100: the largest).</summary>
    public double Percentile { get; init; } = 100;

    /// <summary>Opacity of the heat map over the picture in <see cref="HeatMapMethod.BlendedHeatMap"/>, in [0, 1].</summary>
    public double OverlayAlpha { get; init; } = 0.6;

    /// <summary>In <see cref="HeatMapMethod.BlendedHeatMap"/>, show the picture in grey under the colours (as Captum
    /// does), so that the map's colours are not confused with the picture's.</summary>
    public bool GrayPicture { get; init; } = true;

    /// <summary>A line of text above the picture; null for none.</summary>
    public string? Title { get; init; }

    /// <summary>Text beside the colour bar, e.g. "change of Extraversion"; null for none.</summary>
    public string? ColorBarLabel { get; init; }

    /// <summary>False leaves the colour bar out (the panel alone, with the title if any).</summary>
    public bool ShowColorBar { get; init; } = true;

    /// <summary>Each map pixel becomes this many screen pixels each way (1: the picture at its own size).</summary>
    public int PanelScale { get; init; } = 1;

    /// <summary>The colour map these options resolve to.</summary>
    public ColorMap ResolvedColorMap => ColorMap ?? (Sign == SignMode.All ? Rendering.ColorMap.Diverging : Rendering.ColorMap.Sequential);
}
