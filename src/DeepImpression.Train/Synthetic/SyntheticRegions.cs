namespace DeepImpression.Train.Synthetic;

/// <summary>
/// The region ids of the synthetic set's ground-truth label maps: what <see cref="SyntheticFrameRenderer"/> drew at
/// each pixel (later parts drawn over earlier ones: background, head, eyes, mouth, badge).
/// </summary>
internal static class SyntheticRegions
{
    public const byte Background = 0;
    public const byte Head = 1;
    public const byte Eyes = 2;
    public const byte Mouth = 3;

    /// <summary>Only in <see cref="SyntheticVariant.LocalizedCues"/>.</summary>
    public const byte Badge = 4;

    /// <summary>Region id to name for a set of <paramref name="variant"/>.</summary>
    public static IReadOnlyDictionary<int, string> Legend(SyntheticVariant variant)
    {
        var legend = new SortedDictionary<int, string>
        {
            [Background] = "background",
            [Head] = "head",
            [Eyes] = "eyes",
            [Mouth] = "mouth",
        };
        if (variant == SyntheticVariant.LocalizedCues) legend[Badge] = "badge";
        return legend;
    }
}
