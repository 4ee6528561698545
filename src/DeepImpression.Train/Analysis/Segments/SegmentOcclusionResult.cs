using System.Globalization;
using CsvHelper;
using DeepImpression.Core.Serialization;
using DeepImpression.Train.Analysis.Regions;
using DeepImpression.Train.Data.Decoding;
using DeepImpression.Train.Data.Labels;

namespace DeepImpression.Train.Analysis.Segments;

/// <summary>
/// What <see cref="SegmentOcclusion"/> found: every video's predictions unmasked and with each region masked, and
/// per region and trait the effect size of the change <c>masked - unmasked</c> over the videos in which the region
/// appears (<see cref="PairedEffectSize"/>: Cohen's d for paired differences with its confidence interval).
/// </summary>
public sealed class SegmentOcclusionResult
{
    private readonly IReadOnlyDictionary<int, float[]> _shares;

    /// <summary>The result over <paramref name="videos"/> of masking <paramref name="regions"/> of <paramref name="legend"/>, with the effects computed from them.</summary>
    public SegmentOcclusionResult(RegionLegend legend, IReadOnlyList<int> regions, IReadOnlyList<SegmentVideoResult> videos, float[] averageFrame,
                                  IReadOnlyDictionary<int, float[]> regionShares, FrameSize frameSize, MaskFill fill, double confidence)
    {
        Legend = legend;
        Regions = regions;
        Videos = videos;
        AverageFrame = averageFrame;
        _shares = regionShares;
        FrameSize = frameSize;
        Fill = fill;
        Effects = [.. from region in regions
                      from trait in Enumerable.Range(0, TraitScores.Count)
                      let changes = videos.Where(v => v.Masked.ContainsKey(region)).Select(v => (double)v.Masked[region][trait] - v.Baseline[trait]).ToArray()
                      select new SegmentEffect(region, legend.NameOf(region), trait, TraitScores.Names[trait], PairedEffectSize.Of(changes, confidence))];
    }

    /// <summary>The regions' names.</summary>
    public RegionLegend Legend { get; }

    /// <summary>The region ids that were masked, in order.</summary>
    public IReadOnlyList<int> Regions { get; }

    /// <summary>Each video's unmasked and per-region masked predictions.</summary>
    public IReadOnlyList<SegmentVideoResult> Videos { get; }

    /// <summary>The mean of every frame analysed, planar 3 x H x W, 0..255.</summary>
    public float[] AverageFrame { get; }

    /// <summary>The size of the frames analysed.</summary>
    public FrameSize FrameSize { get; }

    /// <summary>What masked pixels were replaced by.</summary>
    public MaskFill Fill { get; }

    /// <summary>Every region by every trait, regions in order, traits in E, A, C, N, O order.</summary>
    public IReadOnlyList<SegmentEffect> Effects { get; }

    /// <summary>The effect of masking region <paramref name="region"/> on trait <paramref name="trait"/> (0..4).</summary>
    public SegmentEffect Effect(int region, int trait) => Effects.Single(e => e.RegionId == region && e.Trait == trait);

    /// <summary>The region whose masking has the largest |d| for <paramref name="trait"/> (null if no d is defined).</summary>
    public SegmentEffect? LargestEffect(int trait) =>
        Effects.Where(e => e.Trait == trait && !double.IsNaN(e.Effect.D)).MaxBy(e => Math.Abs(e.Effect.D));

    /// <summary>
    /// Per pixel of the average frame, the effect size for <paramref name="trait"/> of the regions found at that pixel,
    /// weighted by how often each was there (regions not masked or without a defined d count as 0).
    /// </summary>
    public float[] EffectMap(int trait)
    {
        int plane = FrameSize.Width * FrameSize.Height;
        var map = new float[plane];
        foreach (var e in Effects.Where(e => e.Trait == trait && !double.IsNaN(e.Effect.D)))
        {
            var share = _shares[e.RegionId];
            for (int p = 0; p < plane; p++) map[p] += (float)(share[p] * e.Effect.D);
        }
        return map;
    }

    /// <summary>
    /// The table as CSV: <c>region_id, region, trait, n, mean_change, sd_change, d, ci_low, ci_high, p</c>, one row per
    /// region and trait; written atomically. Undefined values (too few videos, no variation) are empty.
    /// </summary>
    public void WriteTable(string path) => WriteCsv(path, csv =>
    {
        foreach (var h in new[] { "region_id", "region", "trait", "n", "mean_change", "sd_change", "d", "ci_low", "ci_high", "p", "confidence" }) csv.WriteField(h);
        csv.EndRecord();
        foreach (var e in Effects)
        {
            var x = e.Effect;
            csv.WriteField(e.RegionId.ToString(CultureInfo.InvariantCulture));
            csv.WriteField(e.Region);
            csv.WriteField(e.TraitName);
            csv.WriteField(x.N.ToString(CultureInfo.InvariantCulture));
            foreach (var v in new[] { x.MeanDifference, x.SdDifference, x.D, x.CiLow, x.CiHigh, x.P, x.Confidence }) csv.WriteField(Number(v));
            csv.EndRecord();
        }
    });

    /// <summary>Every prediction as CSV: <c>video, masked_region</c> (empty: unmasked), then the five traits.</summary>
    public void WritePredictions(string path) => WriteCsv(path, csv =>
    {
        csv.WriteField("video");
        csv.WriteField("masked_region");
        foreach (var n in TraitScores.Names) csv.WriteField(n.ToLowerInvariant());
        csv.EndRecord();
        foreach (var v in Videos)
        {
            foreach (var (region, scores) in v.Masked.Prepend(new KeyValuePair<int, float[]>(-1, v.Baseline)))
            {
                csv.WriteField(v.Video);
                csv.WriteField(region < 0 ? "" : Legend.NameOf(region));
                foreach (var s in scores) csv.WriteField(s.ToString("R", CultureInfo.InvariantCulture));
                csv.EndRecord();
            }
        }
    });

    private static string Number(double v) => double.IsNaN(v) ? "" : v.ToString("R", CultureInfo.InvariantCulture);

    private static void WriteCsv(string path, Action<CsvWriter> write) => AtomicFile.Write(path, stream =>
    {
        using var csv = CsvWriter.Create(stream, new CsvWriterOptions { NewLine = "\n" }, true);
        write(csv);
        csv.Flush();
    });
}
