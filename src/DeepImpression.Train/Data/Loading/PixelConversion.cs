using System.Numerics;
using System.Runtime.InteropServices;

namespace DeepImpression.Train.Data.Loading;

/// <summary>Byte pixels to float, the hot loop of the loader.</summary>
internal static class PixelConversion
{
    /// <summary>dst[i] = src[i] (or src[n-1-i] when <paramref name="mirror"/>).</summary>
    public static void ToFloat(ReadOnlySpan<byte> src, Span<float> dst, bool mirror)
    {
        if (dst.Length < src.Length) throw new ArgumentException("Destination too short.");
        dst = dst[..src.Length];
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var bytes = MemoryMarshal.Cast<byte, Vector<byte>>(src);
            int step = Vector<byte>.Count;
            for (int v = 0; v < bytes.Length; v++, i += step)
            {
                Vector.Widen(bytes[v], out Vector<ushort> lo, out Vector<ushort> hi);
                Vector.Widen(lo, out Vector<uint> a, out Vector<uint> b);
                Vector.Widen(hi, out Vector<uint> c, out Vector<uint> d);
                var o = MemoryMarshal.Cast<float, Vector<float>>(dst.Slice(i, step));
                o[0] = Vector.ConvertToSingle(a);
                o[1] = Vector.ConvertToSingle(b);
                o[2] = Vector.ConvertToSingle(c);
                o[3] = Vector.ConvertToSingle(d);
            }
        }
        for (; i < src.Length; i++) dst[i] = src[i];
        if (mirror) dst.Reverse();
    }
}
