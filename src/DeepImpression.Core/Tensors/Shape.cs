namespace DeepImpression.Core.Tensors;

/// <summary>An immutable list of dimension sizes, outermost first (NCHW for images).</summary>
public sealed class Shape : IEquatable<Shape>
{
    private readonly int[] _dims;

    public Shape(params int[] dims)
    {
        ArgumentNullException.ThrowIfNull(dims);
        long count = 1;
        foreach (var d in dims)
        {
            if (d < 0) throw new ArgumentException($"Shape {Format(dims)} has a negative dimension.");
            count *= d;
            if (count > int.MaxValue) throw new ArgumentException($"Shape {Format(dims)} has more than {int.MaxValue} elements.");
        }
        _dims = (int[])dims.Clone();
        Count = (int)count;
    }

    public int Rank => _dims.Length;
    public int Count { get; }
    public int this[int axis] => _dims[axis < 0 ? axis + _dims.Length : axis];
    public ReadOnlySpan<int> Dims => _dims;
    public int[] ToArray() => (int[])_dims.Clone();

    /// <summary>The same shape with one dimension replaced.</summary>
    public Shape With(int axis, int size)
    {
        var d = ToArray();
        d[axis < 0 ? axis + d.Length : axis] = size;
        return new Shape(d);
    }

    public bool Equals(Shape? other) => other is not null && _dims.AsSpan().SequenceEqual(other._dims);
    public override bool Equals(object? obj) => obj is Shape s && Equals(s);
    public override int GetHashCode()
    {
        var h = new HashCode();
        foreach (var d in _dims) h.Add(d);
        return h.ToHashCode();
    }
    public static bool operator ==(Shape? a, Shape? b) => a is null ? b is null : a.Equals(b);
    public static bool operator !=(Shape? a, Shape? b) => !(a == b);
    public override string ToString() => Format(_dims);
    private static string Format(int[] dims) => "(" + string.Join(", ", dims) + ")";

    public static implicit operator Shape(int[] dims) => new(dims);
}
