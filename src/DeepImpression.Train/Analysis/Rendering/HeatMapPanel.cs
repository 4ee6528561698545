namespace DeepImpression.Train.Analysis.Rendering;

/// <summary>
/// The picture part of a heat-map figure, pixel for pixel: a map (one value per picture pixel) coloured, and combined
/// with the picture as the method asks. Pure arithmetic on <see cref="RgbImage"/>; <see cref="HeatMapFigure"/> adds
/// the title and the colour bar.
/// </summary>
internal static class HeatMapPanel
{
    /// <summary>
    /// The panel for <paramref name="map"/> (row-major, <paramref name="width"/> x <paramref name="height"/>) over
    /// <paramref name="picture"/> (the same size; may be null only for <see cref="HeatMapMethod.HeatMap"/>).
    /// </summary>
    public static RgbImage Render(ReadOnlySpan<float> map, int width, int height, RgbImage? picture, HeatMapScale scale, HeatMapOptions options)
    {
        if (map.Length != (long)width * height)
            throw new ArgumentException($"the map has {map.Length} values; a {width}x{height} picture needs {(long)width * height}.", nameof(map));
        if (picture is not null && (picture.Width != width || picture.Height != height))
            throw new ArgumentException($"the picture is {picture.Width}x{picture.Height}, the map {width}x{height}.", nameof(picture));
        if (picture is null && options.Method != HeatMapMethod.HeatMap)
            throw new ArgumentException($"{options.Method} needs the picture under the map.", nameof(picture));
        if (options.Sign == SignMode.All && options.Method is HeatMapMethod.MaskedImage or HeatMapMethod.AlphaScaling)
            throw new ArgumentException($"{options.Method} shows magnitudes: choose the Positive, Negative or Absolute sign.", nameof(options));
        if (!(options.OverlayAlpha is >= 0 and <= 1)) throw new ArgumentOutOfRangeException(nameof(options), $"overlay alpha {options.OverlayAlpha} is not in [0, 1].");

        var colours = options.ResolvedColorMap;
        var under = picture is not null && options.GrayPicture && options.Method == HeatMapMethod.BlendedHeatMap ? picture.ToGray() : picture;
        var white = new Rgb(255, 255, 255);
        var black = new Rgb(0, 0, 0);
        var panel = new RgbImage(width, height, new byte[3 * width * height]);
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                float v = map[y * width + x];
                panel[x, y] = options.Method switch
                {
                    HeatMapMethod.HeatMap => colours[scale.Position(v)],
                    HeatMapMethod.BlendedHeatMap => Rgb.Lerp(under![x, y], colours[scale.Position(v)], options.OverlayAlpha),
                    HeatMapMethod.MaskedImage => Rgb.Lerp(black, under![x, y], scale.Strength(v)),
                    HeatMapMethod.AlphaScaling => Rgb.Lerp(white, under![x, y], scale.Strength(v)),
                    _ => under![x, y],
                };
            }
        }
        return panel;
    }
}
