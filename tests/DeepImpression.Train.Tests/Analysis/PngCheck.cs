using SkiaSharp;

namespace DeepImpression.Train.Tests.Analysis;

/// <summary>Checks that a figure is a PNG an image library opens and that it shows something.</summary>
internal static class PngCheck
{
    /// <summary>Decodes <paramref name="png"/>, checks it has at least <paramref name="minimumColours"/> distinct
    /// colours (a blank or one-colour image fails) and returns its size.</summary>
    public static (int Width, int Height) ValidAndNotBlank(byte[] png, int minimumColours = 50)
    {
        Assert.That(png.AsSpan(0, 8).SequenceEqual(new byte[] { 137, 80, 78, 71, 13, 10, 26, 10 }), Is.True, "PNG signature");
        using var bitmap = SKBitmap.Decode(png);
        Assert.That(bitmap, Is.Not.Null, "decodable");
        var colours = new HashSet<uint>();
        for (int y = 0; y < bitmap.Height; y++)
            for (int x = 0; x < bitmap.Width; x++) colours.Add((uint)bitmap.GetPixel(x, y));
        Assert.That(colours, Has.Count.GreaterThanOrEqualTo(minimumColours), "not blank");
        return (bitmap.Width, bitmap.Height);
    }
}
