namespace DeepImpression.Train.Analysis.Occlusion;

/// <summary>Builds masked inputs on the host: whole masked copies (naive path) or each mask's box of the masked input
/// (the patches incremental inference starts from). Inputs are C planes of H x W, row-major.</summary>
internal static class MaskedInputs
{
    /// <summary>Copies <paramref name="input"/> once per mask <paramref name="firstMask"/> .. +<paramref name="count"/> of <paramref name="grid"/> into <paramref name="destination"/>,
    /// each with its mask filled with <paramref name="fill"/> (one value per channel).</summary>
    public static void Whole(ReadOnlySpan<float> input, int channels, OcclusionGrid grid, int firstMask, int count,
        ReadOnlySpan<float> fill, Span<float> destination)
    {
        int h = grid.Rows.Length, w = grid.Columns.Length, size = channels * h * w;
        for (int b = 0; b < count; b++)
        {
            var copy = destination.Slice(b * size, size);
            input[..size].CopyTo(copy);
            FillBox(copy, channels, h, w, grid.Mask(firstMask + b), new Box(new Interval(0, h), new Interval(0, w)), fill);
        }
    }

    /// <summary>For each of <paramref name="masks"/> (one plan group), the masked input over the node-0 box the plan
    /// recomputes, as (masks, C, box H, box W).</summary>
    public static void Patches(ReadOnlySpan<float> input, int channels, IncrementalPlan plan, IReadOnlyList<int> masks,
        ReadOnlySpan<float> fill, Span<float> destination)
    {
        var grid = plan.Grid;
        int h = grid.Rows.Length, w = grid.Columns.Length;
        for (int b = 0; b < masks.Count; b++)
        {
            var box = plan.PatchBox(0, masks[b]);
            int boxH = box.Rows.Length, boxW = box.Columns.Length, size = channels * boxH * boxW;
            var patch = destination.Slice(b * size, size);
            for (int c = 0; c < channels; c++)
                for (int r = 0; r < boxH; r++)
                    input.Slice((c * h + box.Rows.Start + r) * w + box.Columns.Start, boxW).CopyTo(patch.Slice((c * boxH + r) * boxW, boxW));
            FillBox(patch, channels, boxH, boxW, grid.Mask(masks[b]), box, fill);
        }
    }

    // Fills the part of `mask` (input coordinates) inside `area` (the input region `planes` holds).
    private static void FillBox(Span<float> planes, int channels, int h, int w, Box mask, Box area, ReadOnlySpan<float> fill)
    {
        var part = mask.Intersect(area);
        if (part.IsEmpty) return;
        for (int c = 0; c < channels; c++)
            for (int r = part.Rows.Start; r < part.Rows.End; r++)
                planes.Slice((c * h + r - area.Rows.Start) * w + part.Columns.Start - area.Columns.Start, part.Columns.Length).Fill(fill[c]);
    }
}
