using SkiaSharp;

namespace DeepImpression.Train.Analysis.Rendering;

/// <summary>
/// Draws a map over a picture as a figure a paper can use: an optional title line, the panel at the picture's own
/// size (times <see cref="HeatMapOptions.PanelScale"/>), and a colour bar with its limits, its middle and a label.
/// The panel is <see cref="HeatMapPanel.Render"/> pixel for pixel; the figure's layout is returned with the PNG so
/// that callers (and tests) know where the panel lies.
/// </summary>
public static class HeatMapFigure
{
    private const int Margin = 8;
    private const int BarGap = 10;
    private const int BarWidth = 14;
    private const int TickLength = 4;

    /// <summary>
    /// Renders <paramref name="map"/> (row-major, one value per pixel of a <paramref name="width"/> x
    /// <paramref name="height"/> picture) over <paramref name="picture"/> (null only for
    /// <see cref="HeatMapMethod.HeatMap"/>).
    /// </summary>
    public static RenderedFigure Render(ReadOnlySpan<float> map, int width, int height, RgbImage? picture, HeatMapOptions? options = null)
    {
        options ??= new HeatMapOptions();
        if (options.PanelScale is < 1 or > 16) throw new ArgumentOutOfRangeException(nameof(options), $"panel scale {options.PanelScale} is not in 1..16.");
        var scale = options.Limit is { } limit ? new HeatMapScale(options.Sign, limit) : HeatMapScale.Fit(map, options.Sign, options.Percentile);
        var panel = HeatMapPanel.Render(map, width, height, picture, scale, options);

        int panelW = width * options.PanelScale, panelH = height * options.PanelScale;
        float fontSize = panelW >= 300 ? 13 : 10;
        using var tickFont = FigureText.Font(fontSize - 1);
        bool showBar = options.ShowColorBar && options.Method is not HeatMapMethod.OriginalImage;
        bool signed = scale.Sign == SignMode.All;
        string[] ticks = [FigureText.Number(scale.Upper, signed), FigureText.Number((scale.Lower + scale.Upper) / 2, signed), FigureText.Number(scale.Lower, signed)];
        int tickWidth = showBar ? (int)Math.Ceiling(ticks.Max(t => tickFont.MeasureText(t))) : 0;
        int labelWidth = showBar && options.ColorBarLabel is not null ? (int)Math.Ceiling(fontSize * 1.4) : 0;
        int barBlock = showBar ? BarGap + BarWidth + TickLength + 2 + tickWidth + labelWidth : 0;
        int figureW = Margin + panelW + barBlock + Margin;
        int titleH = options.Title is null ? 0 : (int)Math.Ceiling(fontSize * 1.9);
        int figureH = titleH + Margin + panelH + Margin;
        var panelRect = new PixelRect(Margin, titleH + Margin, panelW, panelH);

        using var surface = SKSurface.Create(new SKImageInfo(figureW, figureH, SKColorType.Rgba8888, SKAlphaType.Premul));
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.White);
        using var text = new SKPaint { Color = new SKColor(30, 30, 30), IsAntialias = true };

        if (options.Title is { } title)
        {
            using var titleFont = FigureText.FittingFont(title, fontSize + 1, figureW - 2 * Margin);
            canvas.DrawText(title, figureW / 2f, titleH - fontSize * 0.45f, SKTextAlign.Center, titleFont, text);
        }

        using (var panelImage = ToSkImage(panel))
            canvas.DrawImage(panelImage, new SKRect(panelRect.X, panelRect.Y, panelRect.X + panelW, panelRect.Y + panelH), new SKSamplingOptions(SKFilterMode.Nearest));

        if (showBar)
        {
            int barX = panelRect.X + panelW + BarGap;
            using (var bar = ToSkImage(ColorBarImage(BarColours(options), panelH)))
                canvas.DrawImage(bar, new SKRect(barX, panelRect.Y, barX + BarWidth, panelRect.Y + panelH));
            using var line = new SKPaint { Color = new SKColor(30, 30, 30), StrokeWidth = 1, IsAntialias = false, Style = SKPaintStyle.Stroke };
            canvas.DrawRect(barX - 0.5f, panelRect.Y - 0.5f, BarWidth, panelH, line);
            float[] tickY = [panelRect.Y, panelRect.Y + panelH / 2f, panelRect.Y + panelH - 1];
            for (int i = 0; i < ticks.Length; i++)
            {
                canvas.DrawLine(barX + BarWidth, tickY[i], barX + BarWidth + TickLength, tickY[i], line);
                float baseline = Math.Clamp(tickY[i] + tickFont.Size * 0.35f, panelRect.Y + tickFont.Size * 0.8f, panelRect.Y + panelH);
                canvas.DrawText(ticks[i], barX + BarWidth + TickLength + 2, baseline, SKTextAlign.Left, tickFont, text);
            }
            if (options.ColorBarLabel is { } label)
            {
                using var labelFont = FigureText.FittingFont(label, fontSize - 1, panelH);
                float x = figureW - Margin - labelWidth / 2f + labelFont.Size * 0.35f;
                canvas.Save();
                canvas.RotateDegrees(-90, x, panelRect.Y + panelH / 2f);
                canvas.DrawText(label, x, panelRect.Y + panelH / 2f, SKTextAlign.Center, labelFont, text);
                canvas.Restore();
            }
        }

        using var snapshot = surface.Snapshot();
        using var png = snapshot.Encode(SKEncodedImageFormat.Png, 100);
        return new RenderedFigure(png.ToArray(), figureW, figureH, panelRect, scale);
    }

    /// <summary>What the colour bar shows: the colour map, or for the methods that dim the picture instead of colouring
    /// it, how much of the picture shows (black to white for the masked image, white to grey for alpha scaling).</summary>
    public static ColorMap BarColours(HeatMapOptions options) => options.Method switch
    {
        HeatMapMethod.MaskedImage => MaskedBar,
        HeatMapMethod.AlphaScaling => AlphaBar,
        _ => options.ResolvedColorMap,
    };

    private static readonly ColorMap MaskedBar = ColorMap.FromHex("picture shown", "#000000", "#ffffff");
    private static readonly ColorMap AlphaBar = ColorMap.FromHex("picture opacity", "#ffffff", "#808080");

    /// <summary>A vertical strip of the colour map, its end (t = 1) at the top, <paramref name="height"/> pixels tall.</summary>
    public static RgbImage ColorBarImage(ColorMap colours, int height)
    {
        var image = new RgbImage(1, height, new byte[3 * height]);
        for (int y = 0; y < height; y++) image[0, y] = colours[height == 1 ? 0.5 : 1 - y / (double)(height - 1)];
        return image;
    }

    /// <summary>An <see cref="RgbImage"/> as a Skia image (opaque RGBA).</summary>
    internal static SKImage ToSkImage(RgbImage image)
    {
        var rgba = new byte[4 * image.Width * image.Height];
        var rgb = image.Pixels;
        for (int i = 0, j = 0; i < rgb.Length; i += 3, j += 4)
        {
            rgba[j] = rgb[i];
            rgba[j + 1] = rgb[i + 1];
            rgba[j + 2] = rgb[i + 2];
            rgba[j + 3] = 255;
        }
        var info = new SKImageInfo(image.Width, image.Height, SKColorType.Rgba8888, SKAlphaType.Opaque);
        using var data = SKData.CreateCopy(rgba);
        return SKImage.FromPixels(info, data, info.RowBytes);
    }
}
