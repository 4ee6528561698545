namespace DeepImpression.Train.Analysis.Regions;

/// <summary>
/// One face found in a frame: the detector's score and box (x, y, width, height in pixels) and the 68 landmarks of
/// the iBUG 300-W scheme: jaw 0-16, right brow 17-21, left brow 22-26 (the person's right and left), nose bridge
/// 27-30, lower nose 31-35, right eye 36-41, left eye 42-47, outer lip 48-59, inner lip 60-67.
/// </summary>
public sealed record FaceLandmarks(double Score, double X, double Y, double Width, double Height, IReadOnlyList<PointD> Points)
{
    /// <summary>Landmarks per face in the iBUG 300-W scheme.</summary>
    public const int Count = 68;

    /// <summary>The points of landmarks <paramref name="first"/> to <paramref name="last"/>, inclusive.</summary>
    public IEnumerable<PointD> Range(int first, int last) => Points.Skip(first).Take(last - first + 1);
}
