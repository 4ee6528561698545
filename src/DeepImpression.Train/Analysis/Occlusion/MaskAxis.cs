namespace DeepImpression.Train.Analysis.Occlusion;

/// <summary>
/// Where the masks fall along one axis of an input of <see cref="Length"/> cells: masks of <see cref="Size"/> cells,
/// one every <see cref="Stride"/> cells. Centred (the poster's pixel maps): mask i is centred on cell i·stride, for
/// every such cell, so ceil(length / stride) masks, those at the ends cut off by the border. Anchored at the start
/// (Captum's sliding windows, and the audio windows): mask i starts at i·stride, as many as it takes to reach the
/// end, the last one cut off there.
/// </summary>
public sealed record MaskAxis(int Length, int Size, int Stride, bool Centred)
{
    /// <summary>How many masks.</summary>
    public int Count => Centred
        ? (Length + Stride - 1) / Stride
        : Length <= Size ? 1 : (Length - Size + Stride - 1) / Stride + 1;

    /// <summary>The cells mask <paramref name="i"/> covers, cut to the input.</summary>
    internal Interval Mask(int i)
    {
        int start = Centred ? i * Stride - Size / 2 : i * Stride;
        return new Interval(Math.Max(0, start), Math.Min(Length, start + Size));
    }

    /// <summary>The cell mask <paramref name="i"/> is drawn at: its centre cell, or the middle of its (cut) span.</summary>
    public double Centre(int i)
    {
        if (Centred) return i * Stride;
        var span = Mask(i);
        return (span.Start + span.End - 1) / 2.0;
    }

    /// <summary>Checks the numbers, naming <paramref name="what"/> in the message.</summary>
    public MaskAxis Validated(string what)
    {
        if (Length < 1) throw new ArgumentOutOfRangeException(nameof(Length), $"{what}: the input has no cells.");
        if (Size < 1) throw new ArgumentOutOfRangeException(nameof(Size), $"{what}: the mask size must be at least 1, got {Size}.");
        if (Stride < 1) throw new ArgumentOutOfRangeException(nameof(Stride), $"{what}: the stride must be at least 1, got {Stride}.");
        return this;
    }
}

/// <summary>Masks over a 2-D input: every (row, column) pair of two <see cref="MaskAxis"/>; index = row · columns + column.</summary>
public sealed record OcclusionGrid(MaskAxis Rows, MaskAxis Columns)
{
    /// <summary>How many masks: rows times columns.</summary>
    public int Count => Rows.Count * Columns.Count;

    /// <summary>The cells mask <paramref name="index"/> covers.</summary>
    internal Box Mask(int index) => new(Rows.Mask(index / Columns.Count), Columns.Mask(index % Columns.Count));

    /// <summary>The poster's pixel masks: <paramref name="size"/> (h, w) centred on every <paramref name="stride"/> (y, x)-th pixel.</summary>
    public static OcclusionGrid Centred(int height, int width, (int H, int W) size, (int H, int W) stride) =>
        new(new MaskAxis(height, size.H, stride.H, true).Validated("rows"), new MaskAxis(width, size.W, stride.W, true).Validated("columns"));

    /// <summary>Windows along a waveform of <paramref name="length"/> samples (one row): <paramref name="window"/> samples every <paramref name="hop"/>.</summary>
    public static OcclusionGrid AlongTime(int length, int window, int hop) =>
        new(new MaskAxis(1, 1, 1, false), new MaskAxis(length, window, hop, false).Validated("audio windows"));
}
