using System.Globalization;
using DeepImpression.Train.Analysis.Rendering;
using DeepImpression.Train.Data.Labels;

namespace DeepImpression.Train.Analysis.Extremes;

/// <summary>A clip (a video file or a cached clip) with its predicted trait scores.</summary>
public sealed record ScoredClip(string Name, TraitScores Scores);

/// <summary>
/// The poster's Figure 3: per trait, the clips predicted lowest and highest, one representative frame each with the
/// score written under it, as one montage (a row per trait: the lowest, lowest first, then the highest, highest last).
/// Ties are broken by name, so the same predictions always give the same picture.
/// </summary>
public static class ExtremeClips
{
    /// <summary>The <paramref name="count"/> clips predicted lowest on <paramref name="trait"/>, lowest first.</summary>
    public static IReadOnlyList<ScoredClip> Lowest(IReadOnlyList<ScoredClip> clips, int trait, int count) =>
        [.. clips.OrderBy(c => c.Scores[trait]).ThenBy(c => c.Name, StringComparer.Ordinal).Take(count)];

    /// <summary>The <paramref name="count"/> clips predicted highest on <paramref name="trait"/>, in increasing order (highest last).</summary>
    public static IReadOnlyList<ScoredClip> Highest(IReadOnlyList<ScoredClip> clips, int trait, int count) =>
        [.. clips.OrderByDescending(c => c.Scores[trait]).ThenBy(c => c.Name, StringComparer.Ordinal).Take(count).Reverse()];

    /// <summary>
    /// The montage as PNG bytes; <paramref name="frameOf"/> gives a clip's representative frame (called once per
    /// clip shown), and every frame is scaled to <paramref name="cellWidth"/> pixels wide.
    /// </summary>
    public static byte[] Render(IReadOnlyList<ScoredClip> clips, int count, Func<ScoredClip, RgbImage> frameOf, int cellWidth = 160)
    {
        if (clips.Count == 0) throw new ArgumentException("no clips to choose from.", nameof(clips));
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), "show at least one clip per end.");
        count = Math.Min(count, clips.Count);
        var frames = new Dictionary<string, RgbImage>(StringComparer.Ordinal);
        RgbImage Frame(ScoredClip c) => frames.TryGetValue(c.Name, out var f) ? f : frames[c.Name] = frameOf(c);

        var rows = new List<IReadOnlyList<MontageCell>>();
        for (int k = 0; k < TraitScores.Count; k++)
        {
            int trait = k;
            MontageCell Cell(ScoredClip c, string end) => new(Frame(c), [
                string.Create(CultureInfo.InvariantCulture, $"{end} {c.Scores[trait]:0.000}"),
                Path.GetFileNameWithoutExtension(c.Name)]);
            rows.Add([.. Lowest(clips, k, count).Select(c => Cell(c, "low")), .. Highest(clips, k, count).Select(c => Cell(c, "high"))]);
        }
        string title = string.Create(CultureInfo.InvariantCulture,
            $"Clips predicted lowest (left) and highest (right) on each trait, of {clips.Count}");
        return Montage.Render(rows, [.. TraitScores.Names], title, cellWidth);
    }
}
