using DeepImpression.Train.Analysis.Rendering;

namespace DeepImpression.Train.Analysis.Occlusion;

/// <summary>How occlusion maps are drawn: the heat-map style (sign, method, colours, limits; titles and colour-bar
/// labels are filled in per figure unless given) and how mask positions become pixels.</summary>
public sealed record OcclusionFigureOptions
{
    /// <summary>The heat-map style: sign mode, colour map, limits, titles.</summary>
    public HeatMapOptions Style { get; init; } = new();
    /// <summary>How each mask's value is spread over the pixels it covers.</summary>
    public PixelProjection Projection { get; init; } = PixelProjection.Bilinear;
}
