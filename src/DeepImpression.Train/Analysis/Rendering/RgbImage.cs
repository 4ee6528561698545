namespace DeepImpression.Train.Analysis.Rendering;

/// <summary>
/// A picture in memory: <see cref="Width"/> x <see cref="Height"/> pixels, RGB interleaved row by row. Frames of the
/// data pipeline are planar (3 x H x W, R then G then B); <see cref="FromPlanar(ReadOnlySpan{byte},int,int)"/> converts.
/// </summary>
public sealed class RgbImage
{
    /// <summary>An image over <paramref name="pixels"/> (3·width·height bytes, R, G, B per pixel, row-major).</summary>
    public RgbImage(int width, int height, byte[] pixels)
    {
        if (width <= 0 || height <= 0) throw new ArgumentOutOfRangeException(nameof(width), $"image size {width}x{height} must be positive.");
        if (pixels.Length != 3L * width * height)
            throw new ArgumentException($"{width}x{height} RGB needs {3L * width * height} bytes, got {pixels.Length}.", nameof(pixels));
        Width = width;
        Height = height;
        Pixels = pixels;
    }

    /// <summary>Width in pixels.</summary>
    public int Width { get; }
    /// <summary>Height in pixels.</summary>
    public int Height { get; }

    /// <summary>R, G, B of every pixel, row by row.</summary>
    public byte[] Pixels { get; }

    /// <summary>The pixel at column <paramref name="x"/>, row <paramref name="y"/> (0, 0 at the top left).</summary>
    public Rgb this[int x, int y]
    {
        get
        {
            int i = 3 * (y * Width + x);
            return new Rgb(Pixels[i], Pixels[i + 1], Pixels[i + 2]);
        }
        set
        {
            int i = 3 * (y * Width + x);
            (Pixels[i], Pixels[i + 1], Pixels[i + 2]) = (value.R, value.G, value.B);
        }
    }

    /// <summary>An image of one colour.</summary>
    public static RgbImage Filled(int width, int height, Rgb colour)
    {
        var image = new RgbImage(width, height, new byte[3 * width * height]);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++) image[x, y] = colour;
        return image;
    }

    /// <summary>From a planar frame (3 x H x W bytes, as the decoder and the clip cache store frames).</summary>
    public static RgbImage FromPlanar(ReadOnlySpan<byte> planar, int width, int height)
    {
        int plane = CheckPlanar(planar.Length, width, height);
        var pixels = new byte[3 * plane];
        for (int i = 0; i < plane; i++)
        {
            pixels[3 * i] = planar[i];
            pixels[3 * i + 1] = planar[plane + i];
            pixels[3 * i + 2] = planar[2 * plane + i];
        }
        return new RgbImage(width, height, pixels);
    }

    /// <summary>From a planar frame of floats (3 x H x W, the network's input: raw 0..255 values), rounded and clamped.</summary>
    public static RgbImage FromPlanar(ReadOnlySpan<float> planar, int width, int height)
    {
        int plane = CheckPlanar(planar.Length, width, height);
        var pixels = new byte[3 * plane];
        for (int c = 0; c < 3; c++)
            for (int i = 0; i < plane; i++)
                pixels[3 * i + c] = (byte)Math.Clamp(MathF.Round(planar[c * plane + i]), 0f, 255f);
        return new RgbImage(width, height, pixels);
    }

    /// <summary>The same picture in grey (luma), still as RGB.</summary>
    public RgbImage ToGray()
    {
        var pixels = new byte[Pixels.Length];
        for (int i = 0; i < pixels.Length; i += 3)
        {
            byte g = new Rgb(Pixels[i], Pixels[i + 1], Pixels[i + 2]).Gray;
            pixels[i] = pixels[i + 1] = pixels[i + 2] = g;
        }
        return new RgbImage(Width, Height, pixels);
    }

    private static int CheckPlanar(int length, int width, int height)
    {
        if (width <= 0 || height <= 0) throw new ArgumentOutOfRangeException(nameof(width), $"image size {width}x{height} must be positive.");
        if (length != 3L * width * height)
            throw new ArgumentException($"a planar {width}x{height} frame has {3L * width * height} values, got {length}.");
        return width * height;
    }
}
