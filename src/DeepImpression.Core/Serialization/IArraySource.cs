namespace DeepImpression.Core.Serialization;

/// <summary>
/// Named arrays that can be described (type and shape) before they are read: an open npz, or arrays already in
/// memory. Loaders match names and shapes first and read only what fits.
/// </summary>
public interface IArraySource
{
    /// <summary>The file the arrays come from, for messages.</summary>
    string Path { get; }

    /// <summary>The names of the arrays, without the .npy suffix.</summary>
    IReadOnlyCollection<string> Keys { get; }

    /// <summary>Type and shape of the array under <paramref name="key"/>, without reading its data.</summary>
    NpyArrayInfo Describe(string key);

    /// <summary>Reads the whole array under <paramref name="key"/>.</summary>
    NpyArray Read(string key);
}

/// <summary>Arrays already in memory as an <see cref="IArraySource"/>.</summary>
internal sealed class InMemoryArrays(string path, IReadOnlyDictionary<string, NpyArray> arrays) : IArraySource
{
    public string Path { get; } = path;
    public IReadOnlyCollection<string> Keys => arrays.Keys.ToArray();

    public NpyArrayInfo Describe(string key)
    {
        var a = arrays[key];
        return new NpyArrayInfo(a.DataType, a.Shape, false, a.DataType.Descr());
    }

    public NpyArray Read(string key) => arrays[key];
}
