using System.Buffers.Binary;
using System.IO.Compression;
using DeepImpression.Core;

namespace DeepImpression.Train.Analysis.Regions;

/// <summary>
/// Reads a region label image: an 8-bit PNG, greyscale (colour type 0) or palette (colour type 3), not interlaced,
/// whose pixel values (grey levels or palette indices) are region ids. These are what labelling tools write (a
/// PIL "L" or "P" image, OpenCV's 8-bit single-channel <c>imwrite</c>); a colour PNG is refused, because its
/// colours are not ids.
/// </summary>
internal static class LabelPng
{
    private static readonly byte[] Signature = [137, 80, 78, 71, 13, 10, 26, 10];
    private const int MaxSide = 8192;

    /// <summary>The ids of <paramref name="path"/>, row by row (Height x Width bytes).</summary>
    public static (byte[] Ids, int Width, int Height) Read(string path)
    {
        byte[] file;
        try
        {
            file = File.ReadAllBytes(path);
        }
        catch (FileNotFoundException)
        {
            throw new InvalidInputException($"{path}: no such file.");
        }
        if (file.Length < Signature.Length || !file.AsSpan(0, Signature.Length).SequenceEqual(Signature))
            throw new InvalidInputException($"{path}: not a PNG file.");

        int width = 0, height = 0;
        bool header = false, end = false;
        using var compressed = new MemoryStream();
        int at = Signature.Length;
        while (!end)
        {
            if (at + 12 > file.Length) throw new InvalidInputException($"{path}: truncated PNG (no IEND chunk).");
            uint length = BinaryPrimitives.ReadUInt32BigEndian(file.AsSpan(at));
            string type = System.Text.Encoding.ASCII.GetString(file, at + 4, 4);
            if (length > int.MaxValue || at + 12 + (long)length > file.Length) throw new InvalidInputException($"{path}: truncated PNG ({type} chunk).");
            var data = file.AsSpan(at + 8, (int)length);
            switch (type)
            {
                case "IHDR":
                    if (length != 13) throw new InvalidInputException($"{path}: bad PNG header.");
                    width = (int)Math.Min(int.MaxValue, BinaryPrimitives.ReadUInt32BigEndian(data));
                    height = (int)Math.Min(int.MaxValue, BinaryPrimitives.ReadUInt32BigEndian(data[4..]));
                    byte depth = data[8], colour = data[9], interlace = data[12];
                    if (depth != 8 || colour is not (0 or 3))
                        throw new InvalidInputException($"{path}: a region map must be an 8-bit greyscale or palette PNG whose values are region ids; this one has colour type {colour}, bit depth {depth}.");
                    if (interlace != 0) throw new InvalidInputException($"{path}: interlaced PNG; save the region map without interlacing.");
                    if (width is < 1 or > MaxSide || height is < 1 or > MaxSide) throw new InvalidInputException($"{path}: image size {width}x{height} outside 1..{MaxSide}.");
                    header = true;
                    break;
                case "IDAT":
                    if (!header) throw new InvalidInputException($"{path}: PNG image data before its header.");
                    compressed.Write(data);
                    break;
                case "IEND":
                    end = true;
                    break;
            }
            at += 12 + (int)length;
        }
        if (!header) throw new InvalidInputException($"{path}: PNG without a header.");

        int stride = width + 1;
        var raw = new byte[(long)stride * height];
        compressed.Position = 0;
        try
        {
            using var inflate = new ZLibStream(compressed, CompressionMode.Decompress);
            inflate.ReadExactly(raw);
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException)
        {
            throw new InvalidInputException($"{path}: corrupt or truncated PNG image data.");
        }
        return (Unfilter(raw, width, height, path), width, height);
    }

    /// <summary>Undoes the PNG row filters (one byte per pixel).</summary>
    private static byte[] Unfilter(byte[] raw, int width, int height, string path)
    {
        var ids = new byte[width * height];
        for (int y = 0; y < height; y++)
        {
            byte filter = raw[y * (width + 1)];
            var src = raw.AsSpan(y * (width + 1) + 1, width);
            var row = ids.AsSpan(y * width, width);
            ReadOnlySpan<byte> up = y > 0 ? ids.AsSpan((y - 1) * width, width) : new byte[width];
            for (int x = 0; x < width; x++)
            {
                int left = x > 0 ? row[x - 1] : 0, above = up[x], corner = x > 0 ? up[x - 1] : 0;
                row[x] = (byte)(src[x] + filter switch
                {
                    0 => 0,
                    1 => left,
                    2 => above,
                    3 => (left + above) >> 1,
                    4 => Paeth(left, above, corner),
                    _ => throw new InvalidInputException($"{path}: corrupt PNG (row filter {filter})."),
                });
            }
        }
        return ids;
    }

    private static int Paeth(int a, int b, int c)
    {
        int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }
}
