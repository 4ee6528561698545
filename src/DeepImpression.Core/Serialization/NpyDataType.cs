namespace DeepImpression.Core.Serialization;

/// <summary>The element types an .npy array may hold here, each with its numpy <c>descr</c> (little-endian).</summary>
public enum NpyDataType
{
    /// <summary>32-bit float (<c>&lt;f4</c>).</summary>
    Float32,
    /// <summary>64-bit float (<c>&lt;f8</c>).</summary>
    Float64,
    /// <summary>32-bit signed integer (<c>&lt;i4</c>).</summary>
    Int32,
    /// <summary>64-bit signed integer (<c>&lt;i8</c>).</summary>
    Int64,
    /// <summary>8-bit unsigned integer (<c>|u1</c>).</summary>
    UInt8,
    /// <summary>Boolean, one byte each (<c>|b1</c>).</summary>
    Bool,
}

/// <summary>numpy's names and sizes of <see cref="NpyDataType"/>.</summary>
public static class NpyDataTypes
{
    /// <summary>The <c>descr</c> numpy writes for the type: <c>&lt;f4</c>, <c>&lt;f8</c>, <c>&lt;i4</c>, <c>&lt;i8</c>, <c>|u1</c>, <c>|b1</c>.</summary>
    public static string Descr(this NpyDataType type) => type switch
    {
        NpyDataType.Float32 => "<f4",
        NpyDataType.Float64 => "<f8",
        NpyDataType.Int32 => "<i4",
        NpyDataType.Int64 => "<i8",
        NpyDataType.UInt8 => "|u1",
        NpyDataType.Bool => "|b1",
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    /// <summary>Bytes per element.</summary>
    public static int ItemSize(this NpyDataType type) => type switch
    {
        NpyDataType.Float32 or NpyDataType.Int32 => 4,
        NpyDataType.Float64 or NpyDataType.Int64 => 8,
        NpyDataType.UInt8 or NpyDataType.Bool => 1,
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    /// <summary>Parses a numpy <c>descr</c>; <paramref name="bigEndian"/> is set for '&gt;' types, which are read by
    /// swapping bytes. Returns false for any other type (structured, strings, complex, float16, ...).</summary>
    public static bool TryParse(string descr, out NpyDataType type, out bool bigEndian)
    {
        type = default;
        bigEndian = false;
        if (descr.Length < 2) return false;
        var order = descr[0];
        var code = descr[1..];
        if (order is not ('<' or '>' or '=' or '|')) return false;
        // numpy writes '<' or '>' (never the writer's native '='), and '|' for one-byte types.
        bigEndian = order == '>';
        switch (code)
        {
            case "f4": type = NpyDataType.Float32; break;
            case "f8": type = NpyDataType.Float64; break;
            case "i4": type = NpyDataType.Int32; break;
            case "i8": type = NpyDataType.Int64; break;
            case "u1": type = NpyDataType.UInt8; bigEndian = false; break;
            case "b1": type = NpyDataType.Bool; bigEndian = false; break;
            default: return false;
        }
        return true;
    }
}
