namespace DeepImpression.Train.Analysis.Regions;

/// <summary>A point in pixel coordinates (x to the right, y down; pixel (i, j) covers [i, i+1) x [j, j+1)).</summary>
public readonly record struct PointD(double X, double Y)
{
    /// <summary>The sum of two vectors.</summary>
    public static PointD operator +(PointD a, PointD b) => new(a.X + b.X, a.Y + b.Y);
    /// <summary>The vector from <paramref name="b"/> to <paramref name="a"/>.</summary>
    public static PointD operator -(PointD a, PointD b) => new(a.X - b.X, a.Y - b.Y);
    /// <summary>The vector scaled by <paramref name="s"/>.</summary>
    public static PointD operator *(double s, PointD a) => new(s * a.X, s * a.Y);
    /// <summary>Euclidean length.</summary>
    public double Length => Math.Sqrt(X * X + Y * Y);
}

/// <summary>Polygon geometry for region maps: convex hulls and filling a polygon into a label map.</summary>
internal static class Polygons
{
    /// <summary>The convex hull of <paramref name="points"/>, counter-clockwise in y-down coordinates (Andrew's monotone chain).</summary>
    public static PointD[] ConvexHull(IEnumerable<PointD> points)
    {
        var p = points.Distinct().OrderBy(q => q.X).ThenBy(q => q.Y).ToArray();
        if (p.Length < 3) return p;
        var hull = new PointD[2 * p.Length];
        int k = 0;
        for (int i = 0; i < p.Length; i++)
        {
            while (k >= 2 && Cross(hull[k - 2], hull[k - 1], p[i]) <= 0) k--;
            hull[k++] = p[i];
        }
        for (int i = p.Length - 2, lower = k + 1; i >= 0; i--)
        {
            while (k >= lower && Cross(hull[k - 2], hull[k - 1], p[i]) <= 0) k--;
            hull[k++] = p[i];
        }
        return hull[..(k - 1)];
    }

    private static double Cross(PointD o, PointD a, PointD b) => (a.X - o.X) * (b.Y - o.Y) - (a.Y - o.Y) * (b.X - o.X);

    /// <summary>
    /// Sets to <paramref name="id"/> every pixel of <paramref name="map"/> (<paramref name="width"/> x
    /// <paramref name="height"/>, row by row) whose centre lies inside <paramref name="polygon"/> (even-odd rule).
    /// </summary>
    public static void Fill(byte[] map, int width, int height, IReadOnlyList<PointD> polygon, byte id)
    {
        if (polygon.Count < 3) return;
        double top = polygon.Min(p => p.Y), bottom = polygon.Max(p => p.Y);
        int y0 = Math.Max(0, (int)Math.Floor(top)), y1 = Math.Min(height - 1, (int)Math.Ceiling(bottom));
        var crossings = new List<double>();
        for (int y = y0; y <= y1; y++)
        {
            double cy = y + 0.5;
            crossings.Clear();
            for (int i = 0; i < polygon.Count; i++)
            {
                var a = polygon[i];
                var b = polygon[(i + 1) % polygon.Count];
                if ((a.Y <= cy) == (b.Y <= cy)) continue;
                crossings.Add(a.X + (cy - a.Y) * (b.X - a.X) / (b.Y - a.Y));
            }
            crossings.Sort();
            for (int i = 0; i + 1 < crossings.Count; i += 2)
            {
                // Pixel centres x + 0.5 inside [left, right).
                int x0 = Math.Max(0, (int)Math.Ceiling(crossings[i] - 0.5)), x1 = Math.Min(width - 1, (int)Math.Ceiling(crossings[i + 1] - 0.5) - 1);
                for (int x = x0; x <= x1; x++) map[y * width + x] = id;
            }
        }
    }
}
