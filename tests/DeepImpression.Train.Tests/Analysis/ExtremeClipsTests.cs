using DeepImpression.Train.Analysis.Extremes;
using DeepImpression.Train.Analysis.Rendering;
using DeepImpression.Train.Data.Labels;
using SkiaSharp;

namespace DeepImpression.Train.Tests.Analysis;

/// <summary>The extremes montage: which clips it picks for each trait and where their frames land.</summary>
[TestFixture]
public class ExtremeClipsTests
{
    /// <summary>Clip i scores i/10 on Extraversion and 1 - i/10 on the other traits (ties on none).</summary>
    private static readonly ScoredClip[] Clips =
        [.. Enumerable.Range(0, 10).Select(i => new ScoredClip($"clip{i}.mp4", new TraitScores(i / 10f, 1 - i / 10f, 0.5f + i / 100f, 0.3f, 1 - i / 10f)))];

    [Test]
    public void The_lowest_and_highest_clips_of_each_trait_are_picked_in_order()
    {
        Assert.That(ExtremeClips.Lowest(Clips, 0, 3).Select(c => c.Name), Is.EqualTo(new[] { "clip0.mp4", "clip1.mp4", "clip2.mp4" }));
        Assert.That(ExtremeClips.Highest(Clips, 0, 3).Select(c => c.Name), Is.EqualTo(new[] { "clip7.mp4", "clip8.mp4", "clip9.mp4" }));
        Assert.That(ExtremeClips.Lowest(Clips, 1, 2).Select(c => c.Name), Is.EqualTo(new[] { "clip9.mp4", "clip8.mp4" }));
        // All tied on Neuroticism: by name.
        Assert.That(ExtremeClips.Highest(Clips, 3, 2).Select(c => c.Name), Is.EqualTo(new[] { "clip1.mp4", "clip0.mp4" }));
    }

    [Test]
    public void The_montage_shows_each_chosen_clips_frame_once_per_place_with_a_caption()
    {
        // Each clip's frame is one flat colour, so that its place in the montage can be found.
        RgbImage FrameOf(ScoredClip c) => RgbImage.Filled(48, 27, new Rgb((byte)(20 * int.Parse(c.Name[4..5])), 200, 90));
        var requested = new List<string>();
        var png = ExtremeClips.Render(Clips, 2, c => { requested.Add(c.Name); return FrameOf(c); }, cellWidth: 96);
        var (width, height) = PngCheck.ValidAndNotBlank(png);
        Assert.That(requested, Is.Unique, "each frame is fetched once");
        Assert.That(requested, Is.EquivalentTo(new[] { "clip0.mp4", "clip1.mp4", "clip8.mp4", "clip9.mp4" }));
        Assert.That(width, Is.GreaterThan(4 * 96), "four cells a row");
        Assert.That(height, Is.GreaterThan(TraitScores.Count * 54), "one row per trait");

        // The first row (Extraversion) starts with clip0's colour and ends with clip9's.
        using var bitmap = SKBitmap.Decode(png);
        var rowColours = Enumerable.Range(0, bitmap.Width).Select(x => bitmap.GetPixel(x, FirstRowMiddle(bitmap))).Where(p => p.Green == 200 && p.Blue == 90).Select(p => p.Red).ToArray();
        Assert.That(rowColours.First(), Is.EqualTo(0));
        Assert.That(rowColours.Last(), Is.EqualTo(180));
    }

    /// <summary>The y of the first row's pictures: the first line, from the top, that holds the frames' green.</summary>
    private static int FirstRowMiddle(SKBitmap bitmap)
    {
        for (int y = 0; y < bitmap.Height; y++)
            for (int x = 0; x < bitmap.Width; x++)
                if (bitmap.GetPixel(x, y) is { Green: 200, Blue: 90 }) return y + 20;
        Assert.Fail("no frame drawn");
        return -1;
    }
}
