namespace DeepImpression.Core.Tensors;

/// <summary>An immutable list of dimension sizes, outermost first (NCHW for images).</summary>
public sealed class Shape : IEquatable<Shape>
{
    private readonly int[] _dims;

    /// <summary>A shape of the given sizes (copied); throws for a negative size or more than <see cref="int.MaxValue"/> elements.</summary>
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

    /// <summary>Number of dimensions.</summary>
    public int Rank => _dims.Length;
    /// <summary>Number of elements: the product of the dimensions (1 for a scalar shape).</summary>
    public int Count { get; }
    /// <summary>The size along <paramref name="axis"/>; a negative axis counts from the end (-1 is the last).</summary>
    public int this[int axis] => _dims[axis < 0 ? axis + _dims.Length : axis];
    /// <summary>The sizes, outermost first, without copying.</summary>
    public ReadOnlySpan<int> Dims => _dims;
    /// <summary>A copy of the sizes.</summary>
    public int[] ToArray() => (int[])_dims.Clone();

    /// <summary>The same shape with one dimension replaced.</summary>
    public Shape With(int axis, int size)
    {
        var d = ToArray();
        d[axis < 0 ? axis + d.Length : axis] = size;
        return new Shape(d);
    }

    /// <summary>True when both shapes have the same sizes in the same order.</summary>
    public bool Equals(Shape? other) => other is not null && _dims.AsSpan().SequenceEqual(other._dims);
    /// <summary>True for a <see cref="Shape"/> with the same sizes.</summary>
    public override bool Equals(object? obj) => obj is Shape s && Equals(s);
    /// <summary>A hash of the sizes, consistent with <see cref="Equals(Shape)"/>.</summary>
    public override int GetHashCode()
    {
        var h = new HashCode();
        foreach (var d in _dims) h.Add(d);
        return h.ToHashCode();
    }
    /// <summary>Value equality of the sizes; two nulls are equal.</summary>
    public static bool operator ==(Shape? a, Shape? b) => a is null ? b is null : a.Equals(b);
    /// <summary>Negation of <c>==</c>.</summary>
    public static bool operator !=(Shape? a, Shape? b) => !(a == b);
    /// <summary>The sizes in parentheses, e.g. <c>(2, 3, 224, 224)</c>.</summary>
    public override string ToString() => Format(_dims);
    private static string Format(int[] dims) => "(" + string.Join(", ", dims) + ")";

    /// <summary>Lets an array of sizes stand where a shape is expected.</summary>
    public static implicit operator Shape(int[] dims) => new(dims);
}
