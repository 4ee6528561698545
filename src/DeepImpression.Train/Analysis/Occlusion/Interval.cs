namespace DeepImpression.Train.Analysis.Occlusion;

/// <summary>The half-open range of indices [<see cref="Start"/>, <see cref="End"/>) along one axis.</summary>
internal readonly record struct Interval(int Start, int End)
{
    public int Length => Math.Max(0, End - Start);
    public bool IsEmpty => End <= Start;

    /// <summary>The indices in both.</summary>
    public Interval Intersect(Interval other) => new(Math.Max(Start, other.Start), Math.Min(End, other.End));

    /// <summary>The smallest interval holding both (an empty one adds nothing).</summary>
    public Interval Hull(Interval other) =>
        IsEmpty ? other : other.IsEmpty ? this : new(Math.Min(Start, other.Start), Math.Max(End, other.End));

    public override string ToString() => $"[{Start},{End})";
}

/// <summary>A rectangle of a feature map: rows × columns.</summary>
internal readonly record struct Box(Interval Rows, Interval Columns)
{
    public long Area => (long)Rows.Length * Columns.Length;
    public bool IsEmpty => Rows.IsEmpty || Columns.IsEmpty;
    public Box Intersect(Box other) => new(Rows.Intersect(other.Rows), Columns.Intersect(other.Columns));
    public Box Hull(Box other) => new(Rows.Hull(other.Rows), Columns.Hull(other.Columns));
    public override string ToString() => $"rows {Rows} x columns {Columns}";
}
