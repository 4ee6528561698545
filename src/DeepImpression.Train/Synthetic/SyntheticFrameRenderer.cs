using DeepImpression.Train.Data.Decoding;

namespace DeepImpression.Train.Synthetic;

/// <summary>
/// Draws the frames of a synthetic clip as rgb24: a background of the clip's hue and brightness with vertical
/// stripes of the clip's spatial frequency (drifting sideways), and a cartoon head (the person's colour and size) that
/// wanders on a slow Lissajous path, with eyes and a mouth that opens with the voice; in the localized-cue variant
/// also a badge in the top-left corner (<see cref="SyntheticLocalizedCues"/>). It can also write what it drew at each pixel
/// (<see cref="SyntheticRegions"/>), the ground truth of segment-level occlusion.
/// </summary>
internal sealed class SyntheticFrameRenderer
{
    private const double StripeContrast = 0.25;
    private const double BackgroundSaturation = 0.6;

    private readonly SyntheticClipSpec _clip;
    private readonly FrameSize _size;
    private readonly int _fps;
    private readonly byte[] _row;
    private readonly (double R, double G, double B) _background;
    private readonly (byte R, byte G, byte B) _head;

    public SyntheticFrameRenderer(SyntheticClipSpec clip, FrameSize size, int framesPerSecond)
    {
        _clip = clip;
        _size = size;
        _fps = framesPerSecond;
        _row = new byte[size.Width * 3];
        _background = Hsv(clip.Cues.HueDegrees, BackgroundSaturation, clip.Cues.Brightness);
        var head = Hsv(clip.Person.HeadHueDegrees, 0.35, 0.85);
        _head = ((byte)(head.R * 255), (byte)(head.G * 255), (byte)(head.B * 255));
    }

    /// <summary>Frame <paramref name="index"/> into <paramref name="rgb"/> (H x W x 3 bytes), and, unless
    /// <paramref name="regions"/> is empty, the region id of every pixel into it (H x W bytes).</summary>
    public void Render(int index, Span<byte> rgb, Span<byte> regions = default)
    {
        int w = _size.Width, h = _size.Height;
        double t = index / (double)_fps;
        double cycles = _clip.Cues.StripeCycles;
        double drift = _clip.Person.StripeDrift * t;
        for (int x = 0; x < w; x++)
        {
            double m = 1 + StripeContrast * Math.Sin(2 * Math.PI * (cycles * (x + 0.5) / w + drift));
            _row[3 * x] = ToByte(_background.R * m);
            _row[3 * x + 1] = ToByte(_background.G * m);
            _row[3 * x + 2] = ToByte(_background.B * m);
        }
        for (int y = 0; y < h; y++) _row.CopyTo(rgb.Slice(y * w * 3, w * 3));
        if (!regions.IsEmpty) regions[..(w * h)].Fill(SyntheticRegions.Background);

        var p = _clip.Person;
        double cx = w * (0.5 + 0.25 * Math.Sin(2 * Math.PI * (p.PathSpeedX * t + p.PathPhase)));
        double cy = h * (0.5 + 0.12 * Math.Sin(2 * Math.PI * (p.PathSpeedY * t + 2 * p.PathPhase)));
        double rx = 0.11 * w * p.HeadSize, ry = 0.3 * h * p.HeadSize;
        FillEllipse(rgb, regions, SyntheticRegions.Head, cx, cy, rx, ry, _head);
        FillEllipse(rgb, regions, SyntheticRegions.Eyes, cx - 0.4 * rx, cy - 0.25 * ry, 0.12 * rx, 0.12 * rx, (20, 20, 20));
        FillEllipse(rgb, regions, SyntheticRegions.Eyes, cx + 0.4 * rx, cy - 0.25 * ry, 0.12 * rx, 0.12 * rx, (20, 20, 20));
        double open = _clip.Envelope(t);
        FillEllipse(rgb, regions, SyntheticRegions.Mouth, cx, cy + 0.45 * ry, 0.35 * rx, 0.03 * ry + 0.12 * ry * open, (90, 20, 30));
        if (_clip.Cues.BadgeContrast is { } contrast)
        {
            double half = BadgeHalfSide * h, centre = BadgeMargin * h + half;
            DrawBadge(rgb, regions, centre, centre, half, contrast);
        }
    }

    // The badge: a square of a fifth of the frame's height in its top-left corner (a fixed place, like a channel's
    // logo), drawn over everything else.
    private const double BadgeHalfSide = 0.1;
    private const double BadgeMargin = 0.04;
    private const double BadgeGrey = 0.5;

    /// <summary>
    /// A 2 x 2 checkerboard around mid grey g: two squares g * (1 + c, 1 - c, 1 + c) (magenta) and two
    /// g * (1 - c, 1 + c, 1 - c) (green), of about the same luminance, so that the cue is a colour contrast that
    /// neither the dark eyes nor the background share.
    /// </summary>
    private void DrawBadge(Span<byte> rgb, Span<byte> regions, double cx, double cy, double half, double contrast)
    {
        int w = _size.Width, h = _size.Height;
        byte up = ToByte(BadgeGrey * (1 + contrast)), down = ToByte(BadgeGrey * (1 - contrast));
        int x0 = Math.Max(0, (int)Math.Round(cx - half)), x1 = Math.Min(w, (int)Math.Round(cx + half));
        int y0 = Math.Max(0, (int)Math.Round(cy - half)), y1 = Math.Min(h, (int)Math.Round(cy + half));
        for (int y = y0; y < y1; y++)
            for (int x = x0; x < x1; x++)
            {
                bool magenta = (x + 0.5 < cx) == (y + 0.5 < cy);
                Paint(rgb, regions, y * w + x, magenta ? (up, down, up) : (down, up, down), SyntheticRegions.Badge);
            }
    }

    private static void Paint(Span<byte> rgb, Span<byte> regions, int pixel, (byte R, byte G, byte B) colour, byte region)
    {
        rgb[3 * pixel] = colour.R;
        rgb[3 * pixel + 1] = colour.G;
        rgb[3 * pixel + 2] = colour.B;
        if (!regions.IsEmpty) regions[pixel] = region;
    }

    private void FillEllipse(Span<byte> rgb, Span<byte> regions, byte region, double cx, double cy, double rx, double ry, (byte R, byte G, byte B) colour)
    {
        int w = _size.Width, h = _size.Height;
        int y0 = Math.Max(0, (int)Math.Floor(cy - ry)), y1 = Math.Min(h - 1, (int)Math.Ceiling(cy + ry));
        for (int y = y0; y <= y1; y++)
        {
            double dy = (y + 0.5 - cy) / ry;
            double half = 1 - dy * dy;
            if (half <= 0) continue;
            double span = rx * Math.Sqrt(half);
            int x0 = Math.Max(0, (int)Math.Ceiling(cx - span - 0.5)), x1 = Math.Min(w - 1, (int)Math.Floor(cx + span - 0.5));
            for (int x = x0; x <= x1; x++) Paint(rgb, regions, y * w + x, colour, region);
        }
    }

    private static byte ToByte(double unit) => (byte)Math.Clamp(Math.Round(unit * 255), 0, 255);

    /// <summary>HSV (hue in degrees, saturation and value in [0, 1]) to RGB in [0, 1].</summary>
    public static (double R, double G, double B) Hsv(double hueDegrees, double saturation, double value)
    {
        double hue = ((hueDegrees % 360) + 360) % 360 / 60;
        double c = value * saturation;
        double x = c * (1 - Math.Abs(hue % 2 - 1));
        double m = value - c;
        var (r, g, b) = (int)hue switch
        {
            0 => (c, x, 0.0),
            1 => (x, c, 0.0),
            2 => (0.0, c, x),
            3 => (0.0, x, c),
            4 => (x, 0.0, c),
            _ => (c, 0.0, x),
        };
        return (r + m, g + m, b + m);
    }
}
