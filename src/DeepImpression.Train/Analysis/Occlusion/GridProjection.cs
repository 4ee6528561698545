namespace DeepImpression.Train.Analysis.Occlusion;

/// <summary>Turns values at the mask positions of an <see cref="OcclusionGrid"/> into one value per input cell
/// (see <see cref="PixelProjection"/>).</summary>
internal static class GridProjection
{
    /// <summary>Values per cell (rows x columns of the input, row-major) from <paramref name="values"/> (one per mask).</summary>
    public static float[] ToCells(OcclusionGrid grid, ReadOnlySpan<float> values, PixelProjection projection)
    {
        if (values.Length != grid.Count) throw new ArgumentException($"{values.Length} values for {grid.Count} masks.", nameof(values));
        int h = grid.Rows.Length, w = grid.Columns.Length;
        var cells = new float[h * w];
        if (projection == PixelProjection.Coverage)
        {
            var sum = new double[h * w];
            var count = new int[h * w];
            for (int m = 0; m < grid.Count; m++)
            {
                var box = grid.Mask(m);
                for (int y = box.Rows.Start; y < box.Rows.End; y++)
                    for (int x = box.Columns.Start; x < box.Columns.End; x++)
                    {
                        sum[y * w + x] += values[m];
                        count[y * w + x]++;
                    }
            }
            for (int i = 0; i < cells.Length; i++) cells[i] = count[i] == 0 ? 0f : (float)(sum[i] / count[i]);
            return cells;
        }
        var rows = Weights(grid.Rows, projection);
        var columns = Weights(grid.Columns, projection);
        int nc = grid.Columns.Count;
        for (int y = 0; y < h; y++)
        {
            var (r0, r1, fr) = rows[y];
            for (int x = 0; x < w; x++)
            {
                var (c0, c1, fc) = columns[x];
                double top = values[r0 * nc + c0] * (1 - fc) + values[r0 * nc + c1] * fc;
                double bottom = values[r1 * nc + c0] * (1 - fc) + values[r1 * nc + c1] * fc;
                cells[y * w + x] = (float)(top * (1 - fr) + bottom * fr);
            }
        }
        return cells;
    }

    // For every cell of the axis: the two mask indices around it and the weight of the second.
    private static (int I0, int I1, double F)[] Weights(MaskAxis axis, PixelProjection projection)
    {
        var centres = Enumerable.Range(0, axis.Count).Select(axis.Centre).ToArray();
        var weights = new (int, int, double)[axis.Length];
        int i = 0;
        for (int p = 0; p < axis.Length; p++)
        {
            while (i + 1 < centres.Length && centres[i + 1] <= p) i++;
            if (i + 1 >= centres.Length || p <= centres[i])
            {
                weights[p] = (i, i, 0);
                continue;
            }
            double f = (p - centres[i]) / (centres[i + 1] - centres[i]);
            weights[p] = projection == PixelProjection.Nearest ? (f < 0.5 ? (i, i, 0) : (i + 1, i + 1, 0)) : (i, i + 1, f);
        }
        return weights;
    }
}
