using DeepImpression.Core.Model;

namespace DeepImpression.Train.Analysis.Segments;

/// <summary>
/// The frames of one clip with one region masked, for the test-time procedure: every pixel whose region id is
/// <see cref="Region"/> in that frame's map is replaced by the fill (<see cref="MaskFill"/>), computed from the
/// unmasked frame. Frames are masked as they are handed over, so only one chunk is ever copied.
/// </summary>
internal sealed class RegionMaskedFrames : IFrameSource
{
    private readonly float[] _frames;
    private readonly IReadOnlyList<byte[]> _maps;
    private readonly MaskFill _fill;

    /// <param name="frames">count x 3 x H x W raw pixel values (0..255), planar.</param>
    /// <param name="count">Frames in <paramref name="frames"/>.</param>
    /// <param name="height">Frame height in pixels.</param>
    /// <param name="width">Frame width in pixels.</param>
    /// <param name="maps">One region map per frame (H x W ids, row by row).</param>
    /// <param name="region">The region id masked.</param>
    /// <param name="fill">What the region's pixels are replaced by.</param>
    public RegionMaskedFrames(float[] frames, int count, int height, int width, IReadOnlyList<byte[]> maps, byte region, MaskFill fill)
    {
        if (frames.Length != (long)count * 3 * height * width) throw new ArgumentException("frame data does not match count and size.");
        if (maps.Count != count || maps.Any(m => m.Length != height * width)) throw new ArgumentException("one H x W map per frame needed.");
        _frames = frames;
        _maps = maps;
        _fill = fill;
        FrameCount = count;
        Height = height;
        Width = width;
        Region = region;
    }

    public int FrameCount { get; }
    public int Height { get; }
    public int Width { get; }

    /// <summary>The region id masked.</summary>
    public byte Region { get; }

    public void CopyFrames(int start, int count, Span<float> destination)
    {
        int plane = Height * Width, size = 3 * plane;
        _frames.AsSpan(start * size, count * size).CopyTo(destination);
        for (int f = 0; f < count; f++)
        {
            var frame = destination.Slice(f * size, size);
            var map = _maps[start + f];
            var fill = _fill.Resolve(frame, 3);
            for (int c = 0; c < 3; c++)
            {
                var channel = frame.Slice(c * plane, plane);
                float value = fill[c];
                for (int p = 0; p < plane; p++)
                    if (map[p] == Region) channel[p] = value;
            }
        }
    }
}
