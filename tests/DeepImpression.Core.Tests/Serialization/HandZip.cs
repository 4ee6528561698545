using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace DeepImpression.Core.Tests.Serialization;

/// <summary>
/// A zip file written field by field from the PKWARE layout (local headers, central directory, end record), so
/// that the npz reader is tested on archives that our own writer (and .NET's zip writer) did not make.
/// </summary>
internal sealed class HandZip
{
    private readonly List<(string Name, byte[] Data, bool Deflate)> _entries = [];

    public HandZip Stored(string name, byte[] data)
    {
        _entries.Add((name, data, false));
        return this;
    }

    public HandZip Deflated(string name, byte[] data)
    {
        _entries.Add((name, data, true));
        return this;
    }

    public byte[] ToArray()
    {
        var file = new MemoryStream();
        var central = new MemoryStream();
        foreach (var (name, data, deflate) in _entries)
        {
            var nameBytes = Encoding.ASCII.GetBytes(name);
            var payload = deflate ? RawDeflate(data) : data;
            var crc = Crc32(data);
            var offset = (uint)file.Position;
            ushort method = deflate ? (ushort)8 : (ushort)0;

            // Local file header.
            U32(file, 0x04034b50); U16(file, 20); U16(file, 0); U16(file, method); U16(file, 0); U16(file, 0x21);
            U32(file, crc); U32(file, (uint)payload.Length); U32(file, (uint)data.Length);
            U16(file, (ushort)nameBytes.Length); U16(file, 0);
            file.Write(nameBytes);
            file.Write(payload);

            // Central directory header.
            U32(central, 0x02014b50); U16(central, 20); U16(central, 20); U16(central, 0); U16(central, method);
            U16(central, 0); U16(central, 0x21); U32(central, crc); U32(central, (uint)payload.Length); U32(central, (uint)data.Length);
            U16(central, (ushort)nameBytes.Length); U16(central, 0); U16(central, 0); U16(central, 0); U16(central, 0);
            U32(central, 0); U32(central, offset);
            central.Write(nameBytes);
        }
        var centralOffset = (uint)file.Position;
        central.Position = 0;
        central.CopyTo(file);
        // End of central directory record.
        U32(file, 0x06054b50); U16(file, 0); U16(file, 0); U16(file, (ushort)_entries.Count); U16(file, (ushort)_entries.Count);
        U32(file, (uint)central.Length); U32(file, centralOffset); U16(file, 0);
        return file.ToArray();
    }

    private static byte[] RawDeflate(byte[] data)
    {
        var output = new MemoryStream();
        using (var deflate = new DeflateStream(output, CompressionLevel.SmallestSize, leaveOpen: true)) deflate.Write(data);
        return output.ToArray();
    }

    /// <summary>CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), bit by bit.</summary>
    public static uint Crc32(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var bit = 0; bit < 8; bit++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
        }
        return ~crc;
    }

    private static void U16(Stream s, ushort v)
    {
        Span<byte> b = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(b, v);
        s.Write(b);
    }

    private static void U32(Stream s, uint v)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(b, v);
        s.Write(b);
    }
}
