namespace DeepImpression.Train.Analysis.Regions;

/// <summary>
/// Turns the 68 landmarks of each face into six regions, the poster's face segmentation: background, face skin,
/// eyebrows, eyes, nose and mouth (<see cref="Legend"/>). Polygons, in the face's own up direction (chin to the top of
/// the nose), so that a tilted face gets tilted regions:
/// <list type="bullet">
/// <item>face skin: the convex hull of the jaw line, the brows and the brows lifted by 1.5 brow-to-eye distances (the
/// landmarks stop at the brows; this adds the forehead), less the parts below;</item>
/// <item>eyebrows: a band along each brow's five points, 0.4 brow-to-eye distances thick;</item>
/// <item>eyes: each eye's six-point contour, widened 30 % about its centre;</item>
/// <item>nose: the convex hull of the bridge (widened to a fifth of the nostril span each side) and the lower nose;</item>
/// <item>mouth: the outer lip contour.</item>
/// </list>
/// Later parts are painted over earlier ones (skin, nose, eyes, brows, mouth), so every pixel has one region.
/// </summary>
internal static class FaceRegionPainter
{
    public const byte Background = 0;
    public const byte FaceSkin = 1;
    public const byte Eyebrows = 2;
    public const byte Eyes = 3;
    public const byte Nose = 4;
    public const byte Mouth = 5;

    private const double ForeheadLift = 1.5;
    private const double BrowThickness = 0.4;
    private const double EyeWidening = 1.3;
    private const double BridgeHalfWidth = 0.2;

    /// <summary>The six regions' names by id.</summary>
    public static RegionLegend Legend { get; } = new(new Dictionary<int, string>
    {
        [Background] = "background",
        [FaceSkin] = "face skin",
        [Eyebrows] = "eyebrows",
        [Eyes] = "eyes",
        [Nose] = "nose",
        [Mouth] = "mouth",
    }, "face regions");

    /// <summary>The region map (<paramref name="width"/> x <paramref name="height"/>, row by row) of a frame with <paramref name="faces"/>.</summary>
    public static byte[] Paint(IReadOnlyList<FaceLandmarks> faces, int width, int height)
    {
        var map = new byte[width * height];
        foreach (var face in faces) Paint(face, map, width, height);
        return map;
    }

    private static void Paint(FaceLandmarks face, byte[] map, int width, int height)
    {
        if (face.Points.Count != FaceLandmarks.Count) throw new ArgumentException($"a face needs {FaceLandmarks.Count} landmarks, got {face.Points.Count}.");
        var p = face.Points;
        var chinToNose = p[27] - p[8];
        var up = (1 / Math.Max(1e-9, chinToNose.Length)) * chinToNose;
        var side = new PointD(-up.Y, up.X);
        double browToEye = Math.Max(1, Math.Abs(Along(up, Mean(face.Range(17, 26))) - Along(up, Mean(face.Range(36, 47)))));

        var brows = face.Range(17, 26).ToArray();
        var skin = Polygons.ConvexHull(face.Range(0, 16).Concat(brows).Concat(brows.Select(b => b + ForeheadLift * browToEye * up)));
        Polygons.Fill(map, width, height, skin, FaceSkin);

        double bridge = BridgeHalfWidth * (p[35] - p[31]).Length;
        var nose = Polygons.ConvexHull(face.Range(27, 35).Concat([p[27] + bridge * side, p[27] - bridge * side]));
        Polygons.Fill(map, width, height, nose, Nose);

        foreach (var (first, last) in new[] { (36, 41), (42, 47) })
        {
            var eye = face.Range(first, last).ToArray();
            var centre = Mean(eye);
            Polygons.Fill(map, width, height, [.. eye.Select(q => centre + EyeWidening * (q - centre))], Eyes);
        }

        double half = Math.Max(1, 0.5 * BrowThickness * browToEye);
        foreach (var (first, last) in new[] { (17, 21), (22, 26) })
        {
            var brow = face.Range(first, last).ToArray();
            var band = brow.Select(b => b + half * up).Concat(brow.Reverse().Select(b => b - half * up)).ToArray();
            Polygons.Fill(map, width, height, band, Eyebrows);
        }

        Polygons.Fill(map, width, height, [.. face.Range(48, 59)], Mouth);
    }

    private static double Along(PointD direction, PointD point) => direction.X * point.X + direction.Y * point.Y;

    private static PointD Mean(IEnumerable<PointD> points)
    {
        var list = points.ToArray();
        return new PointD(list.Average(q => q.X), list.Average(q => q.Y));
    }
}
