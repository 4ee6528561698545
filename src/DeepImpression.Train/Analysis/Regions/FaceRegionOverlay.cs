using DeepImpression.Train.Analysis.Rendering;

namespace DeepImpression.Train.Analysis.Regions;

/// <summary>A frame with its face regions coloured over it and the landmarks dotted, to check a segmentation by eye.</summary>
internal static class FaceRegionOverlay
{
    /// <summary>The colour of each face region (background is left as it is).</summary>
    public static IReadOnlyDictionary<byte, Rgb> Colours { get; } = new Dictionary<byte, Rgb>
    {
        [FaceRegionPainter.FaceSkin] = new(255, 170, 0),
        [FaceRegionPainter.Eyebrows] = new(170, 60, 220),
        [FaceRegionPainter.Eyes] = new(0, 200, 255),
        [FaceRegionPainter.Nose] = new(40, 200, 40),
        [FaceRegionPainter.Mouth] = new(255, 20, 90),
    };

    private const double Opacity = 0.5;

    /// <summary>The overlay of <paramref name="map"/> and <paramref name="faces"/> on <paramref name="frame"/>.</summary>
    public static RgbImage Render(RgbImage frame, byte[] map, IReadOnlyList<FaceLandmarks> faces)
    {
        var image = new RgbImage(frame.Width, frame.Height, (byte[])frame.Pixels.Clone());
        for (int y = 0; y < frame.Height; y++)
            for (int x = 0; x < frame.Width; x++)
                if (Colours.TryGetValue(map[y * frame.Width + x], out var colour)) image[x, y] = Rgb.Lerp(image[x, y], colour, Opacity);
        var white = new Rgb(255, 255, 255);
        foreach (var point in faces.SelectMany(f => f.Points))
        {
            int px = (int)Math.Floor(point.X), py = (int)Math.Floor(point.Y);
            if (px >= 0 && py >= 0 && px < frame.Width && py < frame.Height) image[px, py] = white;
        }
        return image;
    }
}
