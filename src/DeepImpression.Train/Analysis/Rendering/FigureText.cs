using System.Globalization;
using SkiaSharp;

namespace DeepImpression.Train.Analysis.Rendering;

/// <summary>The typeface figures write with: DejaVu Sans where installed (Debian's default), else Skia's default.</summary>
internal static class FigureText
{
    private static readonly Lazy<SKTypeface> Face = new(() =>
        SKFontManager.Default.MatchFamily("DejaVu Sans") ?? SKTypeface.Default);

    public static SKFont Font(float size) => new(Face.Value, size) { Subpixel = true, Edging = SKFontEdging.Antialias };

    /// <summary>A font of <paramref name="size"/> pixels or smaller, so that <paramref name="text"/> fits <paramref name="width"/>.</summary>
    public static SKFont FittingFont(string text, float size, float width)
    {
        var font = Font(size);
        float measured = font.MeasureText(text);
        if (measured <= width || measured == 0) return font;
        font.Size = Math.Max(6, size * width / measured);
        return font;
    }

    /// <summary>A number in three significant digits (scientific notation outside 0.001 to 9999), with its sign when <paramref name="signed"/>.</summary>
    public static string Number(double value, bool signed)
    {
        if (value == 0) return "0";
        double magnitude = Math.Abs(value);
        string text = magnitude is >= 1e-3 and < 1e4
            ? Math.Round(value, Math.Max(0, 2 - (int)Math.Floor(Math.Log10(magnitude)))).ToString("0.#####", CultureInfo.InvariantCulture)
            : value.ToString("0.##e+0", CultureInfo.InvariantCulture);
        return signed && value > 0 ? "+" + text : text;
    }
}
