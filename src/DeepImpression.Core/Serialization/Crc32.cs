using System.Buffers.Binary;

namespace DeepImpression.Core.Serialization;

/// <summary>
/// The CRC-32 of zip files (IEEE 802.3, reflected polynomial 0xEDB88320). .NET's zip reader does not check it for
/// stored entries, and a flipped bit in a checkpoint must not load silently. Eight bytes per step ("slicing by 8")
/// so that checking a model's 22 MB costs a few milliseconds.
/// </summary>
internal static class Crc32
{
    private static readonly uint[] Tables = BuildTables();

    /// <summary>Continues <paramref name="crc"/> (start with 0) over <paramref name="data"/>.</summary>
    public static uint Update(uint crc, ReadOnlySpan<byte> data)
    {
        var t = Tables;
        var c = ~crc;
        while (data.Length >= 8)
        {
            var low = BinaryPrimitives.ReadUInt32LittleEndian(data) ^ c;
            var high = BinaryPrimitives.ReadUInt32LittleEndian(data[4..]);
            c = t[7 * 256 + (low & 0xFF)] ^ t[6 * 256 + ((low >> 8) & 0xFF)] ^ t[5 * 256 + ((low >> 16) & 0xFF)] ^ t[4 * 256 + (low >> 24)]
              ^ t[3 * 256 + (high & 0xFF)] ^ t[2 * 256 + ((high >> 8) & 0xFF)] ^ t[256 + ((high >> 16) & 0xFF)] ^ t[high >> 24];
            data = data[8..];
        }
        foreach (var b in data) c = t[(c ^ b) & 0xFF] ^ (c >> 8);
        return ~c;
    }

    // Table k gives the effect of a byte followed by k zero bytes.
    private static uint[] BuildTables()
    {
        var tables = new uint[8 * 256];
        for (uint n = 0; n < 256; n++)
        {
            var c = n;
            for (var bit = 0; bit < 8; bit++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            tables[n] = c;
        }
        for (var k = 1; k < 8; k++)
            for (var n = 0; n < 256; n++)
                tables[k * 256 + n] = tables[(k - 1) * 256 + n] >> 8 ^ tables[tables[(k - 1) * 256 + n] & 0xFF];
        return tables;
    }
}
