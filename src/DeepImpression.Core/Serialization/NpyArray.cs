using DeepImpression.Core.Tensors;

namespace DeepImpression.Core.Serialization;

/// <summary>
/// One numpy array as an .npy file holds it: element type, shape (C order; rank 0 for a scalar) and the elements in
/// a typed array (<c>float[]</c>, <c>double[]</c>, <c>int[]</c>, <c>long[]</c>, <c>byte[]</c> or <c>bool[]</c>).
/// </summary>
public sealed class NpyArray
{
    private readonly Array _data;

    private NpyArray(NpyDataType type, Shape shape, Array data)
    {
        ArgumentNullException.ThrowIfNull(shape);
        if (data.Length != shape.Count) throw new ArgumentException($"An array of shape {shape} has {shape.Count} elements, got {data.Length}.");
        DataType = type;
        Shape = shape;
        _data = data;
    }

    /// <summary>float32 elements of <paramref name="shape"/> (row-major, not copied).</summary>
    public NpyArray(float[] data, Shape shape) : this(NpyDataType.Float32, shape, data) { }
    /// <summary>float64 elements of <paramref name="shape"/> (row-major, not copied).</summary>
    public NpyArray(double[] data, Shape shape) : this(NpyDataType.Float64, shape, data) { }
    /// <summary>int32 elements of <paramref name="shape"/> (row-major, not copied).</summary>
    public NpyArray(int[] data, Shape shape) : this(NpyDataType.Int32, shape, data) { }
    /// <summary>int64 elements of <paramref name="shape"/> (row-major, not copied).</summary>
    public NpyArray(long[] data, Shape shape) : this(NpyDataType.Int64, shape, data) { }
    /// <summary>uint8 elements of <paramref name="shape"/> (row-major, not copied).</summary>
    public NpyArray(byte[] data, Shape shape) : this(NpyDataType.UInt8, shape, data) { }
    /// <summary>Boolean elements of <paramref name="shape"/> (row-major, not copied).</summary>
    public NpyArray(bool[] data, Shape shape) : this(NpyDataType.Bool, shape, data) { }

    /// <summary>A one-dimensional array.</summary>
    public static NpyArray Vector(float[] data) => new(data, new Shape(data.Length));

    /// <summary>0-d arrays (numpy scalars saved with <c>np.savez</c>), e.g. an epoch counter.</summary>
    public static NpyArray Scalar(float value) => new([value], new Shape());
    /// <summary>A 0-d float64 array.</summary>
    public static NpyArray Scalar(double value) => new([value], new Shape());
    /// <summary>A 0-d int64 array.</summary>
    public static NpyArray Scalar(long value) => new([value], new Shape());

    /// <summary>UTF-8 text as a byte vector (<c>|u1</c>), e.g. a configuration in JSON.</summary>
    public static NpyArray Utf8(string text)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(text);
        return new NpyArray(bytes, new Shape(bytes.Length));
    }

    internal static NpyArray Allocate(NpyDataType type, Shape shape) => new(type, shape, type switch
    {
        NpyDataType.Float32 => new float[shape.Count],
        NpyDataType.Float64 => new double[shape.Count],
        NpyDataType.Int32 => new int[shape.Count],
        NpyDataType.Int64 => new long[shape.Count],
        NpyDataType.UInt8 => new byte[shape.Count],
        NpyDataType.Bool => new bool[shape.Count],
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    });

    /// <summary>The element type.</summary>
    public NpyDataType DataType { get; }
    /// <summary>The dimensions (empty for a 0-d scalar).</summary>
    public Shape Shape { get; }
    /// <summary>Number of elements.</summary>
    public int Count => Shape.Count;

    /// <summary>The elements (no copy) when they are float32; otherwise an <see cref="InvalidOperationException"/>.</summary>
    public float[] AsFloat32() => As<float>(NpyDataType.Float32);
    /// <summary>The elements (no copy) when they are float64; otherwise an <see cref="InvalidOperationException"/>.</summary>
    public double[] AsFloat64() => As<double>(NpyDataType.Float64);
    /// <summary>The elements (no copy) when they are int32; otherwise an <see cref="InvalidOperationException"/>.</summary>
    public int[] AsInt32() => As<int>(NpyDataType.Int32);
    /// <summary>The elements (no copy) when they are int64; otherwise an <see cref="InvalidOperationException"/>.</summary>
    public long[] AsInt64() => As<long>(NpyDataType.Int64);
    /// <summary>The elements (no copy) when they are uint8; otherwise an <see cref="InvalidOperationException"/>.</summary>
    public byte[] AsUInt8() => As<byte>(NpyDataType.UInt8);
    /// <summary>The elements (no copy) when they are booleans; otherwise an <see cref="InvalidOperationException"/>.</summary>
    public bool[] AsBool() => As<bool>(NpyDataType.Bool);

    /// <summary>A float32 copy of any element type (booleans as 0 and 1), as the model stores every parameter.</summary>
    public float[] ToFloat32() => _data switch
    {
        float[] f => (float[])f.Clone(),
        double[] d => Array.ConvertAll(d, v => (float)v),
        int[] i => Array.ConvertAll(i, v => (float)v),
        long[] l => Array.ConvertAll(l, v => (float)v),
        byte[] b => Array.ConvertAll(b, v => (float)v),
        bool[] b => Array.ConvertAll(b, v => v ? 1f : 0f),
        _ => throw new InvalidOperationException(),
    };

    /// <summary>A float64 copy of any element type.</summary>
    public double[] ToFloat64() => _data switch
    {
        float[] f => Array.ConvertAll(f, v => (double)v),
        double[] d => (double[])d.Clone(),
        int[] i => Array.ConvertAll(i, v => (double)v),
        long[] l => Array.ConvertAll(l, v => (double)v),
        byte[] b => Array.ConvertAll(b, v => (double)v),
        bool[] b => Array.ConvertAll(b, v => v ? 1.0 : 0.0),
        _ => throw new InvalidOperationException(),
    };

    /// <summary>An int64 copy of an integer or boolean array; floating-point arrays are refused, not rounded.</summary>
    public long[] ToInt64() => _data switch
    {
        int[] i => Array.ConvertAll(i, v => (long)v),
        long[] l => (long[])l.Clone(),
        byte[] b => Array.ConvertAll(b, v => (long)v),
        bool[] b => Array.ConvertAll(b, v => v ? 1L : 0L),
        _ => throw new InvalidOperationException($"A {DataType.Descr()} array does not convert to int64."),
    };

    /// <summary>The text of a <c>|u1</c> array written by <see cref="Utf8"/>.</summary>
    public string ToUtf8() => System.Text.Encoding.UTF8.GetString(AsUInt8());

    /// <summary>The elements as raw bytes in the machine's order, for reading and writing.</summary>
    internal Span<byte> Bytes => _data switch
    {
        float[] f => System.Runtime.InteropServices.MemoryMarshal.AsBytes(f.AsSpan()),
        double[] d => System.Runtime.InteropServices.MemoryMarshal.AsBytes(d.AsSpan()),
        int[] i => System.Runtime.InteropServices.MemoryMarshal.AsBytes(i.AsSpan()),
        long[] l => System.Runtime.InteropServices.MemoryMarshal.AsBytes(l.AsSpan()),
        byte[] b => b.AsSpan(),
        bool[] b => System.Runtime.InteropServices.MemoryMarshal.AsBytes(b.AsSpan()),
        _ => throw new InvalidOperationException(),
    };

    /// <summary>numpy's type and the shape, e.g. <c>&lt;f4 (3, 4)</c>.</summary>
    public override string ToString() => $"{DataType.Descr()} {Shape}";

    private T[] As<T>(NpyDataType type) => DataType == type
        ? (T[])_data
        : throw new InvalidOperationException($"The array is {DataType.Descr()} {Shape}, not {type.Descr()}.");
}
