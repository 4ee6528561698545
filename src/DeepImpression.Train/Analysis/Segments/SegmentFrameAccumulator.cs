using DeepImpression.Train.Analysis.Regions;
using DeepImpression.Train.Data.Decoding;

namespace DeepImpression.Train.Analysis.Segments;

/// <summary>
/// Sums what the segment figure is drawn from over every frame analysed: the frames themselves (for the average
/// frame) and, per pixel, how often each region was there (for colouring each pixel by the effects of the regions
/// found at it).
/// </summary>
internal sealed class SegmentFrameAccumulator(FrameSize size, RegionLegend legend)
{
    private readonly double[] _sum = new double[3 * size.Width * size.Height];
    private readonly Dictionary<int, int[]> _counts = legend.Ids.ToDictionary(id => id, _ => new int[size.Width * size.Height]);
    private int _frames;

    public void Add(float[] frames, IReadOnlyList<byte[]> maps)
    {
        int plane = size.Width * size.Height;
        for (int f = 0; f < maps.Count; f++)
        {
            var frame = frames.AsSpan(f * 3 * plane, 3 * plane);
            for (int i = 0; i < frame.Length; i++) _sum[i] += frame[i];
            var map = maps[f];
            for (int p = 0; p < plane; p++) _counts[map[p]][p]++;
            _frames++;
        }
    }

    /// <summary>The mean frame, planar 3 x H x W, 0..255.</summary>
    public float[] AverageFrame() => [.. _sum.Select(v => (float)(v / Math.Max(1, _frames)))];

    /// <summary>Per region id, the share of frames in which each pixel belonged to it.</summary>
    public IReadOnlyDictionary<int, float[]> RegionShares() =>
        _counts.ToDictionary(e => e.Key, e => e.Value.Select(c => (float)c / Math.Max(1, _frames)).ToArray());
}
