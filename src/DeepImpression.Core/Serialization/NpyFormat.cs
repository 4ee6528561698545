using System.Buffers.Binary;
using System.Text;
using DeepImpression.Core.Tensors;

namespace DeepImpression.Core.Serialization;

/// <summary>
/// numpy's .npy format: magic <c>\x93NUMPY</c>, version (1.0, 2.0 or 3.0), header length, a header dict, then the
/// elements in C order. Reads <c>&lt;f4 &lt;f8 &lt;i4 &lt;i8 |u1 |b1</c> (and their big-endian forms); writes
/// little-endian. Bad input is an <see cref="InvalidInputException"/> naming the file (and the array, in an npz).
/// </summary>
internal static class NpyFormat
{
    /// <summary>numpy's own default bound (<c>max_header_size</c>); our headers are about 128 bytes. This bounds what a
    /// corrupt length can make us allocate, and what reading the headers of an npz's arrays can make us inflate.</summary>
    private const int MaxHeaderLength = 10_000;

    internal static ReadOnlySpan<byte> Magic => [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>Reads a standalone .npy file.</summary>
    public static NpyArray ReadFile(string path)
    {
        if (!File.Exists(path)) throw new InvalidInputException($"{path}: file not found.");
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
        var array = Read(stream, path, stream.Length);
        if (stream.Position != stream.Length)
            throw new InvalidInputException($"{path}: {stream.Length - stream.Position} bytes follow the array's data.");
        return array;
    }

    /// <summary>Writes a standalone .npy file, atomically.</summary>
    public static void WriteFile(string path, NpyArray array) => AtomicFile.Write(path, stream => Write(stream, array));

    /// <summary>Reads one array from <paramref name="stream"/>, which holds <paramref name="length"/> bytes when known
    /// (checked before the elements are allocated). <paramref name="source"/> names the array in messages.</summary>
    public static NpyArray Read(Stream stream, string source, long? length = null)
    {
        var (info, headerTotal) = ReadHeader(stream, source);
        if (length is { } total && total - headerTotal < info.DataBytes)
            throw new InvalidInputException($"{source}: truncated: shape {info.Shape} of {info.Descr} needs {info.DataBytes} bytes of data, the array has {Math.Max(0, total - headerTotal)}.");

        var array = NpyArray.Allocate(info.DataType, info.Shape);
        var bytes = array.Bytes;
        var read = stream.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false);
        if (read < bytes.Length)
            throw new InvalidInputException($"{source}: truncated: shape {info.Shape} of {info.Descr} needs {info.DataBytes} bytes of data, the array has {read}.");
        if (info.BigEndian == BitConverter.IsLittleEndian) SwapBytes(bytes, info.DataType.ItemSize());
        if (info.DataType == NpyDataType.Bool)
            foreach (ref var b in bytes)
                b = b != 0 ? (byte)1 : (byte)0; // a bool must be 0 or 1 in .NET; numpy treats any non-zero byte as True
        return array;
    }

    /// <summary>
    /// Reads only the magic, version and header dict of an array: what it declares, checked (a supported type, C
    /// order, at most <see cref="NpyArrayInfo.MaxDataBytes"/> of data), before any element is read or allocated.
    /// Returns the header's total length in bytes too.
    /// </summary>
    public static (NpyArrayInfo Info, long HeaderBytes) ReadHeader(Stream stream, string source)
    {
        Span<byte> prefix = stackalloc byte[8];
        ReadExactly(stream, prefix, source, "the magic and version");
        if (!prefix[..6].SequenceEqual(Magic)) throw new InvalidInputException($"{source}: not an .npy array (bad magic {Convert.ToHexString(prefix[..6])}).");
        var major = prefix[6];
        if (major is not (1 or 2 or 3) || prefix[7] != 0)
            throw new InvalidInputException($"{source}: .npy format version {major}.{prefix[7]} is not supported (1.0, 2.0 and 3.0 are).");

        Span<byte> lengthBytes = stackalloc byte[major == 1 ? 2 : 4];
        ReadExactly(stream, lengthBytes, source, "the header length");
        long headerLength = major == 1 ? BinaryPrimitives.ReadUInt16LittleEndian(lengthBytes) : BinaryPrimitives.ReadUInt32LittleEndian(lengthBytes);
        if (headerLength > MaxHeaderLength) throw new InvalidInputException($"{source}: the .npy header claims {headerLength} bytes, more than the {MaxHeaderLength} allowed (corrupt).");
        var headerBytes = new byte[headerLength];
        ReadExactly(stream, headerBytes, source, "the header");

        NpyHeader header;
        try
        {
            // Version 3.0 allows UTF-8 in the header (field names); 1.0 and 2.0 are Latin-1.
            var text = (major == 3 ? Encoding.UTF8 : Encoding.Latin1).GetString(headerBytes);
            header = NpyHeader.Parse(text);
        }
        catch (FormatException e)
        {
            throw new InvalidInputException($"{source}: bad .npy header: {e.Message}.");
        }

        if (!NpyDataTypes.TryParse(header.Descr, out var type, out var bigEndian))
            throw new InvalidInputException($"{source}: dtype '{header.Descr}' is not supported (<f4, <f8, <i4, <i8, |u1 and |b1 are).");
        // Fortran order changes the layout only from two dimensions on.
        if (header.FortranOrder && header.Shape.Length > 1)
            throw new InvalidInputException($"{source}: the array is stored in Fortran order; only C order is supported (save it with np.ascontiguousarray).");

        Shape shape;
        try
        {
            shape = new Shape(header.Shape);
        }
        catch (ArgumentException)
        {
            throw new InvalidInputException($"{source}: shape ({string.Join(", ", header.Shape)}) is too large.");
        }
        var info = new NpyArrayInfo(type, shape, bigEndian, header.Descr);
        if (info.DataBytes > NpyArrayInfo.MaxDataBytes)
            throw new InvalidInputException($"{source}: shape {shape} of {header.Descr} is {info.DataBytes:N0} bytes, more than the {NpyArrayInfo.MaxDataBytes:N0} one array can hold.");
        return (info, 8 + lengthBytes.Length + headerLength);
    }

    /// <summary>Writes <paramref name="array"/> as an .npy array (version 1.0 header unless it needs 2.0).</summary>
    public static void Write(Stream stream, NpyArray array)
    {
        ArgumentNullException.ThrowIfNull(array);
        stream.Write(new NpyHeader(array.DataType.Descr(), false, array.Shape.ToArray()).Encode());
        if (BitConverter.IsLittleEndian)
        {
            stream.Write(array.Bytes);
            return;
        }
        var copy = array.Bytes.ToArray();
        SwapBytes(copy, array.DataType.ItemSize());
        stream.Write(copy);
    }

    private static void ReadExactly(Stream stream, Span<byte> buffer, string source, string what)
    {
        if (stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false) < buffer.Length)
            throw new InvalidInputException($"{source}: truncated: the array ends inside {what}.");
    }

    private static void SwapBytes(Span<byte> bytes, int itemSize)
    {
        if (itemSize == 1) return;
        for (var i = 0; i < bytes.Length; i += itemSize) bytes.Slice(i, itemSize).Reverse();
    }
}
