using System.Text;

namespace DeepImpression.Train.Data.Labels.Pickle;

// The values a safe unpickle can produce. Besides these: null (None), bool, long (ints), double (floats and
// numpy.float64 scalars) and string (unicode strings).

/// <summary>A Python 2 <c>str</c> (a byte string), kept as bytes: clip names and the raw bytes of numpy scalars.</summary>
internal sealed class PickleBytes(byte[] value)
{
    public byte[] Value { get; } = value;

    /// <summary>The bytes as text: UTF-8 when they are valid UTF-8 (clip names are ASCII), else Latin-1 as Python's
    /// <c>encoding='latin1'</c> would give.</summary>
    public string AsText()
    {
        try
        {
            return StrictUtf8.GetString(Value);
        }
        catch (DecoderFallbackException)
        {
            return Encoding.Latin1.GetString(Value);
        }
    }

    public override string ToString() => AsText();

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
}

/// <summary>A Python tuple.</summary>
internal sealed class PickleTuple(IReadOnlyList<object?> items)
{
    public IReadOnlyList<object?> Items { get; } = items;
    public int Count => Items.Count;
    public object? this[int index] => Items[index];

    /// <summary>Levels of containers: 1 for a tuple of plain values.</summary>
    public int Depth { get; } = 1 + (items.Count == 0 ? 0 : items.Max(PickleDepth.Of));
}

/// <summary>A Python dict, with its entries in the order the file gives them (duplicates kept, for the caller to judge).</summary>
internal sealed class PickleDict
{
    public List<KeyValuePair<object?, object?>> Entries { get; } = [];

    /// <summary>Levels of containers, as deep as the deepest entry added so far (a dict that holds itself grows with
    /// every insertion, so a cycle cannot hide from the reader's bound).</summary>
    public int Depth { get; private set; } = 1;

    public void Add(object? key, object? value)
    {
        Entries.Add(new(key, value));
        Depth = Math.Max(Depth, 1 + Math.Max(PickleDepth.Of(key), PickleDepth.Of(value)));
    }
}

/// <summary>How deeply a value nests containers (0 for a plain value).</summary>
internal static class PickleDepth
{
    public static int Of(object? value) => value switch
    {
        PickleTuple tuple => tuple.Depth,
        PickleDict dict => dict.Depth,
        _ => 0,
    };
}

/// <summary>The only globals the reader accepts: the two numpy callables that rebuild a <c>numpy.float64</c>.</summary>
internal enum NumpyCallable
{
    Scalar,
    Dtype,
}

/// <summary>A numpy dtype rebuilt from a pickle; only float64 (<c>f8</c>) is accepted.</summary>
internal sealed class NumpyDtype
{
    /// <summary>Set by BUILD from the dtype's state; numpy writes '&lt;' (little-endian) on the machines that made the files.</summary>
    public bool BigEndian { get; set; }
}
