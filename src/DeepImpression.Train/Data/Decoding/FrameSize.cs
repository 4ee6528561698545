using System.Globalization;
using DeepImpression.Core;

namespace DeepImpression.Train.Data.Decoding;

/// <summary>A frame size in pixels, written <c>WIDTHxHEIGHT</c> on the command line.</summary>
public readonly record struct FrameSize(int Width, int Height)
{
    /// <summary>The size the network's cache stores frames at (456x256, the original's).</summary>
    public static FrameSize Network { get; } = new(ClipFormat.FrameWidth, ClipFormat.FrameHeight);

    /// <summary>Bytes of one RGB frame stored as 3 x H x W.</summary>
    public int BytesPerFrame => ClipFormat.Channels * Width * Height;

    /// <summary><c>WIDTHxHEIGHT</c>.</summary>
    public override string ToString() => $"{Width}x{Height}";

    /// <summary>Parses <c>456x256</c>; <paramref name="what"/> names the argument in the error message.</summary>
    public static FrameSize Parse(string text, string what)
    {
        var parts = text.Trim().ToLowerInvariant().Split('x');
        if (parts.Length == 2
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int w)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int h)
            && w is >= 8 and <= 4096 && h is >= 8 and <= 4096)
        {
            // H.264 with 4:2:0 chroma needs even sides.
            if (w % 2 != 0 || h % 2 != 0) throw new InvalidInputException($"{what} '{text}': width and height must be even.");
            return new FrameSize(w, h);
        }
        throw new InvalidInputException($"{what} '{text}': expected WIDTHxHEIGHT with sides from 8 to 4096, e.g. 456x256.");
    }
}
