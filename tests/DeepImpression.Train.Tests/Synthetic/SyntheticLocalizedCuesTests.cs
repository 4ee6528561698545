using DeepImpression.Train.Data;
using DeepImpression.Train.Data.Decoding;
using DeepImpression.Train.Synthetic;
using DeepImpression.Train.Tests.Data;

namespace DeepImpression.Train.Tests.Synthetic;

/// <summary>
/// The localized-cue variant: Conscientiousness only in the badge's contrast, Extraversion only in the middle third's
/// loudness, measured in the encoded and decoded clips; everything else as in the standard variant.
/// </summary>
[TestFixture]
public class SyntheticLocalizedCuesTests
{
    private static readonly FrameSize Size = new(128, 72);

    [Test]
    public void The_variant_changes_only_the_cues_it_localizes()
    {
        var standard = SyntheticPlan.Make(20, 5);
        var localized = SyntheticPlan.Make(20, 5, SyntheticVariant.LocalizedCues);
        for (int i = 0; i < standard.Count; i++)
        {
            var (s, l) = (standard[i], localized[i]);
            Assert.That((l.Name, l.Split, l.Labels, l.Scores), Is.EqualTo((s.Name, s.Split, s.Labels, s.Scores)));
            Assert.That(l.Cues with { Brightness = s.Cues.Brightness, BadgeContrast = null }, Is.EqualTo(s.Cues));
            Assert.That(s.Cues.BadgeContrast, Is.Null);
            Assert.That(l.Cues.Brightness, Is.EqualTo(SyntheticLocalizedCues.FixedBrightness));
            Assert.That(l.Cues.BadgeContrast, Is.EqualTo(SyntheticLocalizedCues.ContrastPerUnit * (SyntheticCues.Clip(s.Scores[SyntheticLocalizedCues.VisualTrait]) + 2.5)).Within(1e-12));
        }
    }

    [Test]
    public void The_badge_contrast_and_the_loudness_span_can_be_measured_in_the_decoded_clips()
    {
        using var folder = new ScratchFolder("synth-localized");
        var report = SyntheticDataSet.Generate(new SyntheticDataSetOptions
        {
            OutputDirectory = folder.Path, Clips = 5, Seed = 1, Seconds = 3.6, FrameSize = Size, Variant = SyntheticVariant.LocalizedCues, Jobs = 2,
        });
        var decoder = new ClipDecoder(Size);
        int loudClips = 0;
        foreach (var clip in report.Clips)
        {
            var decoded = decoder.Decode(SyntheticDataSet.PathOf(folder.Path, clip), 1);
            int total = (int)Math.Round(3.6 * 30);
            int index = ClipDecoder.EvenlySpacedFrames(total, 1)[0];
            var rgb = new byte[Size.BytesPerFrame];
            var regions = new byte[Size.Width * Size.Height];
            new SyntheticFrameRenderer(clip, Size, 30).Render(index, rgb, regions);

            // The badge's squares, away from their edges (H.264 blurs those), in the decoded red plane.
            var light = new List<double>();
            var dark = new List<double>();
            var red = decoded.Frame(0)[..(Size.Width * Size.Height)];
            for (int y = 1; y < Size.Height - 1; y++)
                for (int x = 1; x < Size.Width - 1; x++)
                {
                    int p = y * Size.Width + x;
                    if (regions[p] != SyntheticRegions.Badge || regions[p - 1] != SyntheticRegions.Badge || regions[p + 1] != SyntheticRegions.Badge
                        || regions[p - Size.Width] != SyntheticRegions.Badge || regions[p + Size.Width] != SyntheticRegions.Badge) continue;
                    if (rgb[3 * p] == rgb[3 * (p - 1)] && rgb[3 * p] == rgb[3 * (p + 1)] && rgb[3 * p] == rgb[3 * (p - Size.Width)] && rgb[3 * p] == rgb[3 * (p + Size.Width)])
                        (rgb[3 * p] >= 128 ? light : dark).Add(red[p]);
                }
            Assert.That(light, Is.Not.Empty, clip.Name);
            double contrast = (light.Average() - (dark.Count > 0 ? dark.Average() : light.Average())) / (2 * 0.5 * 255);
            Assert.That(contrast, Is.EqualTo(clip.Cues.BadgeContrast!.Value).Within(0.12), clip.Name);

            // The voice's amplitude never exceeds its loudness (the timbre is normalised by its sum) and the hiss stays
            // within 5.5 standard deviations: outside the middle third only the quiet level is heard; inside, the clip's.
            var (start, end) = SyntheticLocalizedCues.AudioSpan(3.6);
            double Peak(double from, double to) =>
                decoded.Audio.Skip((int)(from * ClipFormat.SampleRate)).Take((int)((to - from) * ClipFormat.SampleRate)).Max(v => Math.Abs((double)v));
            double hiss = 5.5 * clip.Person.NoiseLevel + 0.02;
            double outside = Math.Max(Peak(0.1, start - 0.1), Peak(end + 0.1, 3.5));
            Assert.That(outside, Is.LessThan(SyntheticLocalizedCues.QuietLoudness + hiss), clip.Name);
            if (clip.Cues.Loudness > 2 * (SyntheticLocalizedCues.QuietLoudness + hiss) && ++loudClips > 0)
                Assert.That(Peak(start + 0.1, end - 0.1), Is.GreaterThan(SyntheticLocalizedCues.QuietLoudness + hiss), clip.Name);
            Assert.That(Peak(start + 0.1, end - 0.1), Is.LessThan(clip.Cues.Loudness + hiss), clip.Name);
        }
        Assert.That(loudClips, Is.GreaterThan(0), "no clip loud enough to tell the span from the rest");
    }
}
