using DeepImpression.Train.Analysis.Rendering;
using SkiaSharp;

namespace DeepImpression.Train.Analysis.Extremes;

/// <summary>One picture of a <see cref="Montage"/> with the lines written under it.</summary>
public sealed record MontageCell(RgbImage Picture, IReadOnlyList<string> Caption);

/// <summary>
/// A grid of pictures as one PNG: an optional title, an optional label at the left of each row, and each picture
/// scaled to a common width with its caption lines centred under it. Rows may differ in length.
/// </summary>
public static class Montage
{
    private const int Gap = 8;

    /// <param name="rows">The cells, row by row.</param>
    /// <param name="rowLabels">One label per row (null or empty strings for none).</param>
    /// <param name="title">A line above the grid, or null.</param>
    /// <param name="cellWidth">Width every picture is scaled to (null: the widest picture's own width).</param>
    public static byte[] Render(IReadOnlyList<IReadOnlyList<MontageCell>> rows, IReadOnlyList<string?>? rowLabels = null, string? title = null, int? cellWidth = null)
    {
        var cells = rows.SelectMany(r => r).ToArray();
        if (cells.Length == 0) throw new ArgumentException("a montage needs at least one picture.", nameof(rows));
        int width = cellWidth ?? cells.Max(c => c.Picture.Width);
        if (width <= 0) throw new ArgumentOutOfRangeException(nameof(cellWidth));
        int pictureHeight = cells.Max(c => (int)Math.Ceiling(c.Picture.Height * (double)width / c.Picture.Width));
        float fontSize = Math.Clamp(width / 12f, 10, 14);
        using var font = FigureText.Font(fontSize);
        int captionLines = cells.Max(c => c.Caption.Count);
        int captionHeight = (int)Math.Ceiling(captionLines * fontSize * 1.3);
        int labelWidth = rowLabels is null ? 0 : (int)Math.Ceiling(rowLabels.Max(l => string.IsNullOrEmpty(l) ? 0 : font.MeasureText(l)) + Gap);
        int columns = rows.Max(r => r.Count);
        int titleHeight = title is null ? 0 : (int)Math.Ceiling(fontSize * 2);
        int rowHeight = pictureHeight + captionHeight + Gap;
        int figureW = Gap + labelWidth + columns * (width + Gap);
        int figureH = titleHeight + Gap + rows.Count * rowHeight;

        using var surface = SKSurface.Create(new SKImageInfo(figureW, figureH, SKColorType.Rgba8888, SKAlphaType.Premul));
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.White);
        using var ink = new SKPaint { Color = new SKColor(30, 30, 30), IsAntialias = true };
        if (title is not null)
        {
            using var titleFont = FigureText.FittingFont(title, fontSize + 2, figureW - 2 * Gap);
            canvas.DrawText(title, figureW / 2f, titleHeight - fontSize * 0.5f, SKTextAlign.Center, titleFont, ink);
        }
        for (int r = 0; r < rows.Count; r++)
        {
            int top = titleHeight + Gap + r * rowHeight;
            if (rowLabels is not null && r < rowLabels.Count && !string.IsNullOrEmpty(rowLabels[r]))
                canvas.DrawText(rowLabels[r], Gap, top + pictureHeight / 2f + fontSize * 0.35f, SKTextAlign.Left, font, ink);
            for (int c = 0; c < rows[r].Count; c++)
            {
                var cell = rows[r][c];
                int left = Gap + labelWidth + c * (width + Gap);
                float height = cell.Picture.Height * (float)width / cell.Picture.Width;
                using (var image = HeatMapFigure.ToSkImage(cell.Picture))
                    canvas.DrawImage(image, new SKRect(left, top, left + width, top + height), new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear));
                for (int line = 0; line < cell.Caption.Count; line++)
                {
                    using var lineFont = FigureText.FittingFont(cell.Caption[line], fontSize, width);
                    canvas.DrawText(cell.Caption[line], left + width / 2f, top + pictureHeight + (line + 1) * fontSize * 1.25f, SKTextAlign.Center, lineFont, ink);
                }
            }
        }
        using var snapshot = surface.Snapshot();
        using var png = snapshot.Encode(SKEncodedImageFormat.Png, 100);
        return png.ToArray();
    }

    /// <summary>A PNG (e.g. a rendered figure) as an <see cref="RgbImage"/>, to place in a montage.</summary>
    public static RgbImage Decode(byte[] png)
    {
        using var bitmap = SKBitmap.Decode(png) ?? throw new ArgumentException("not a decodable image.", nameof(png));
        using var rgba = bitmap.Copy(SKColorType.Rgba8888);
        var bytes = rgba.Bytes;
        var pixels = new byte[3 * rgba.Width * rgba.Height];
        for (int i = 0, j = 0; j < pixels.Length; i += 4, j += 3)
        {
            pixels[j] = bytes[i];
            pixels[j + 1] = bytes[i + 1];
            pixels[j + 2] = bytes[i + 2];
        }
        return new RgbImage(rgba.Width, rgba.Height, pixels);
    }
}
