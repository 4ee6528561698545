using DeepImpression.Core.Tensors;

namespace DeepImpression.Core.Serialization;

/// <summary>
/// What an .npy header declares about its array, read before any element: element type, shape, byte order and size.
/// Lets a reader check an array against what it expects before it inflates or allocates the data.
/// </summary>
public sealed record NpyArrayInfo(NpyDataType DataType, Shape Shape, bool BigEndian, string Descr)
{
    /// <summary>The most data one array may hold: a .NET array (and a span over its bytes) holds at most this many bytes.</summary>
    public static long MaxDataBytes => Array.MaxLength;

    /// <summary>Bytes of element data the header declares.</summary>
    public long DataBytes => (long)Shape.Count * DataType.ItemSize();
}
