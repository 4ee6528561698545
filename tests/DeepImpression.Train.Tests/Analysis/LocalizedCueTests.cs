using DeepImpression.Train.Analysis.Occlusion;
using DeepImpression.Train.Data.Decoding;
using DeepImpression.Train.Synthetic;

namespace DeepImpression.Train.Tests.Analysis;

/// <summary>
/// Occlusion against ground truth: after a short training on the localized-cue synthetic set, the pixel map of
/// Conscientiousness falls on the forehead badge and the audio map of Extraversion on the middle third of the clip,
/// for held-out clips where the cue is strong (highest score: masking the cue then changes the prediction most).
/// </summary>
[TestFixture, Category("Slow")]
public sealed class LocalizedCueTests
{
    private static readonly FrameSize Size = LocalizedCueModel.Size;

    [Test]
    public void PixelMapOfTheBadgeTraitFallsOnTheBadge()
    {
        var model = LocalizedCueModel.Model;
        var clip = model.Clips.Where(c => c.Split != SyntheticPlan.Train).MaxBy(c => c.Labels[SyntheticLocalizedCues.VisualTrait])!;
        var decoded = new ClipDecoder(Size).Decode(model.PathOf(clip), 1);
        var map = PixelOcclusion.Analyze(model.Net, new OcclusionClip(clip.Name, decoded.Audio, decoded.Frames, 1, Size.Height, Size.Width));

        // Ground truth: the renderer's region ids for the frame the decoder took (the middle one).
        int index = ClipDecoder.EvenlySpacedFrames((int)Math.Round(LocalizedCueModel.Seconds * 30), 1)[0];
        var regions = new byte[Size.Width * Size.Height];
        new SyntheticFrameRenderer(clip, Size, 30).Render(index, new byte[Size.BytesPerFrame], regions);
        bool Badge(int pixel) => regions[pixel] == SyntheticRegions.Badge;

        var change = map.Change(SyntheticLocalizedCues.VisualTrait);
        var perPixel = map.PerPixel(change, PixelProjection.Coverage);
        double onBadge = perPixel.Where((_, i) => Badge(i)).Sum(v => Math.Abs(v)), total = perPixel.Sum(v => Math.Abs(v));
        double badgeShare = regions.Count(r => r == SyntheticRegions.Badge) / (double)regions.Length;
        TestContext.Out.WriteLine($"{clip.Name}: badge {badgeShare:P1} of the frame holds {onBadge / total:P1} of |change of Conscientiousness|");
        Assert.That(badgeShare, Is.GreaterThan(0), "the badge is in the frame");
        Assert.That(onBadge / total, Is.GreaterThan(10 * badgeShare), "the map's mass on the badge is at least ten times its share of the frame");

        int peak = Enumerable.Range(0, change.Length).MaxBy(m => Math.Abs(change[m]));
        var box = map.Grid.Mask(peak);
        bool peakCoversBadge = Enumerable.Range(box.Rows.Start, box.Rows.Length)
            .Any(y => Enumerable.Range(box.Columns.Start, box.Columns.Length).Any(x => Badge(y * Size.Width + x)));
        Assert.That(peakCoversBadge, Is.True, $"the largest change (mask {box}) covers part of the badge");
        Assert.That(change[peak], Is.LessThan(0), "masking the badge's contrast lowers the trait");
    }

    [Test]
    public void AudioMapOfTheSpanTraitPeaksInTheMiddleThird()
    {
        var model = LocalizedCueModel.Model;
        var clip = model.Clips.Where(c => c.Split != SyntheticPlan.Train).MaxBy(c => c.Labels[SyntheticLocalizedCues.AudioTrait])!;
        var decoded = new ClipDecoder(Size).Decode(model.PathOf(clip), 1);
        var map = AudioOcclusion.Analyze(model.Net, new OcclusionClip(clip.Name, decoded.Audio, decoded.Frames, 1, Size.Height, Size.Width),
            new AudioOcclusionOptions { Window = 4000, Hop = 2000 });

        var (start, end) = SyntheticLocalizedCues.AudioSpan(decoded.Audio.Length / 16000.0);
        bool InSpan(int window) => map.WindowSeconds(window).Start < end && map.WindowSeconds(window).End > start;
        var change = map.Change(SyntheticLocalizedCues.AudioTrait);
        int peak = Enumerable.Range(0, change.Length).MaxBy(w => Math.Abs(change[w]));
        double inside = Enumerable.Range(0, change.Length).Where(InSpan).Average(w => Math.Abs(change[w]));
        double outside = Enumerable.Range(0, change.Length).Where(w => !InSpan(w)).Average(w => Math.Abs(change[w]));
        TestContext.Out.WriteLine($"{clip.Name}: peak at {map.WindowSeconds(peak)} s ({change[peak]:F4}); mean |change| {inside:F4} on the span, {outside:F4} elsewhere");
        Assert.That(InSpan(peak), Is.True, $"the largest change ({map.WindowSeconds(peak)} s) overlaps the middle third ({start:F2} to {end:F2} s)");
        Assert.That(inside, Is.GreaterThan(1.5 * outside), "windows on the span change the trait at least 1.5 times as much as the others");
    }
}
