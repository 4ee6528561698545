namespace DeepImpression.Train.Analysis.Rendering;

/// <summary>An opaque colour, 8 bits per channel.</summary>
public readonly record struct Rgb(byte R, byte G, byte B)
{
    /// <summary>Parses <c>#rrggbb</c>.</summary>
    public static Rgb FromHex(string hex)
    {
        var s = hex.TrimStart('#');
        if (s.Length != 6) throw new FormatException($"'{hex}' is not a #rrggbb colour.");
        return new Rgb(Convert.ToByte(s[..2], 16), Convert.ToByte(s[2..4], 16), Convert.ToByte(s[4..], 16));
    }

    /// <summary>(1 − t)·a + t·b per channel, rounded; t is clamped to [0, 1].</summary>
    public static Rgb Lerp(Rgb a, Rgb b, double t)
    {
        t = Math.Clamp(t, 0, 1);
        return new Rgb(Mix(a.R, b.R, t), Mix(a.G, b.G, t), Mix(a.B, b.B, t));
    }

    /// <summary>Luma (ITU-R BT.601 weights), the grey a colour frame becomes under a heat map.</summary>
    public byte Gray => (byte)Math.Round(0.299 * R + 0.587 * G + 0.114 * B);

    /// <summary>The colour as <c>#rrggbb</c>.</summary>
    public override string ToString() => $"#{R:x2}{G:x2}{B:x2}";

    private static byte Mix(byte a, byte b, double t) => (byte)Math.Round(a + (b - a) * t, MidpointRounding.AwayFromZero);
}
