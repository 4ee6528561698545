using DeepImpression.Train.Data.Decoding;

namespace DeepImpression.Train.Analysis.Regions;

/// <summary>
/// The region maps of the frames of one video that an analysis reads, validated: <see cref="Maps"/>[i] holds the
/// region id of every pixel (Height x Width bytes, row by row) of video frame <see cref="Frames"/>[i].
/// </summary>
public sealed record VideoRegions(string Source, FrameSize Size, IReadOnlyList<int> Frames, IReadOnlyList<byte[]> Maps)
{
    /// <summary>Whether any of the maps has a pixel of <paramref name="region"/>.</summary>
    public bool Contains(int region) => Maps.Any(m => m.AsSpan().IndexOf((byte)region) >= 0);
}
