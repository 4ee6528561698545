using System.Buffers.Binary;
using System.Text;

namespace DeepImpression.Core.Tests.Serialization;

/// <summary>.npy bytes written out by hand: magic, version, header length, the given dict padded to 64, data.</summary>
internal static class HandNpy
{
    public static byte[] Build(string dict, byte[] data, int major = 1)
    {
        var lengthSize = major == 1 ? 2 : 4;
        var dictBytes = Encoding.UTF8.GetBytes(dict);
        var padding = (64 - (6 + 2 + lengthSize + dictBytes.Length + 1) % 64) % 64;
        byte[] header = [.. dictBytes, .. Enumerable.Repeat((byte)' ', padding), (byte)'\n'];
        var bytes = new List<byte> { 0x93 };
        bytes.AddRange(Encoding.ASCII.GetBytes("NUMPY"));
        bytes.Add((byte)major);
        bytes.Add(0);
        var length = new byte[lengthSize];
        if (major == 1) BinaryPrimitives.WriteUInt16LittleEndian(length, (ushort)header.Length);
        else BinaryPrimitives.WriteUInt32LittleEndian(length, (uint)header.Length);
        bytes.AddRange(length);
        bytes.AddRange(header);
        bytes.AddRange(data);
        return [.. bytes];
    }

    public static byte[] LittleEndianFloats(params float[] values)
    {
        var bytes = new byte[values.Length * 4];
        for (var i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), values[i]);
        return bytes;
    }

    public static byte[] BigEndianDoubles(params double[] values)
    {
        var bytes = new byte[values.Length * 8];
        for (var i = 0; i < values.Length; i++) BinaryPrimitives.WriteDoubleBigEndian(bytes.AsSpan(i * 8), values[i]);
        return bytes;
    }

    public static byte[] LittleEndianLongs(params long[] values)
    {
        var bytes = new byte[values.Length * 8];
        for (var i = 0; i < values.Length; i++) BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(i * 8), values[i]);
        return bytes;
    }
}
