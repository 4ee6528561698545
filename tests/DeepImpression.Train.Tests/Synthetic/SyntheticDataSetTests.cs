using System.Text.RegularExpressions;
using DeepImpression.Core;
using DeepImpression.Train.Data;
using DeepImpression.Train.Data.Decoding;
using DeepImpression.Train.Data.Labels;
using DeepImpression.Train.Synthetic;
using DeepImpression.Train.Tests.Data;

namespace DeepImpression.Train.Tests.Synthetic;

[TestFixture]
public class SyntheticDataSetTests
{
    [Test]
    public void The_set_is_laid_out_like_the_second_release_with_official_label_files()
    {
        var root = TinySyntheticSet.Root;
        var clips = TinySyntheticSet.Report.Clips;
        foreach (var split in new[] { "train", "validation", "test" })
        {
            var files = Directory.GetFiles(Path.Combine(root, split)).Select(Path.GetFileName).ToArray();
            var members = clips.Where(c => c.Split == split).ToArray();
            Assert.That(files, Is.EquivalentTo(members.Select(c => c.Name)));
            Assert.That(files.All(f => Regex.IsMatch(f!, @"^[A-Za-z0-9_-]{11}\.\d{3}\.mp4$")), Is.True);

            var labels = AnnotationFiles.Read(Path.Combine(root, SyntheticDataSet.LabelFiles[split]));
            Assert.That(labels.Clips.Keys, Is.EquivalentTo(members.Select(c => c.Name)));
            Assert.That(labels.Interview, Is.Not.Null);
            foreach (var c in members)
            {
                Assert.That(labels.Clips[c.Name], Is.EqualTo(c.Labels));
                Assert.That(labels.Interview![c.Name], Is.EqualTo(c.Interview));
            }
        }
        Assert.That(clips.Count(c => c.Split == "train"), Is.EqualTo(6));
        Assert.That(clips.GroupBy(c => ClipNames.YouTubeId(c.Name)).Max(g => g.Count()), Is.GreaterThan(1));
    }

    [Test]
    public void Clips_are_H264_and_AAC_at_30_fps_with_the_requested_size_and_length()
    {
        var path = SyntheticDataSet.PathOf(TinySyntheticSet.Root, TinySyntheticSet.Report.Clips[0]);
        var info = MediaProbe.Probe(path);
        Assert.That(info.VideoCodec, Is.EqualTo("h264"));
        Assert.That(info.AudioCodec, Is.EqualTo("aac"));
        Assert.That(info.FramesPerSecond, Is.EqualTo(30).Within(0.01));
        Assert.That((info.Width, info.Height), Is.EqualTo((64, 36)));
        Assert.That(info.DurationSeconds, Is.EqualTo(TinySyntheticSet.Seconds).Within(0.1));
        Assert.That(info.VideoFrameCount, Is.EqualTo(105));
    }

    [Test]
    public void The_pitch_and_the_brightness_cues_can_be_measured_in_the_decoded_clips()
    {
        var decoder = new ClipDecoder(TinySyntheticSet.Size);
        foreach (var clip in TinySyntheticSet.Report.Clips.Take(5))
        {
            var decoded = decoder.Decode(SyntheticDataSet.PathOf(TinySyntheticSet.Root, clip), 1);
            var (measured, at) = EstimatePitch(clip, decoded.Audio);
            // The voice swings 4 % around the pitch cue (slow intonation): compare with the pitch of that moment.
            double expected = clip.Cues.PitchHz * (1 + 0.04 * Math.Sin(2 * Math.PI * (0.7 * at + clip.Person.PathPhase)));
            Assert.That(measured, Is.EqualTo(expected).Within(1.5).Percent, clip.Name);

            // Most pixels are background, whose stripes swing symmetrically around the scene's HSV value.
            int plane = decoded.FrameSize.Width * decoded.FrameSize.Height;
            var frame = decoded.Frame(0).ToArray();
            var value = Enumerable.Range(0, plane).Select(p => (double)Math.Max(frame[p], Math.Max(frame[plane + p], frame[2 * plane + p]))).Order().ToArray();
            Assert.That(value[plane / 2] / 255, Is.EqualTo(clip.Cues.Brightness).Within(0.06), clip.Name);
        }
    }

    /// <summary>Autocorrelation pitch over 50 ms at the peak of a voiced syllable (the shortest strong lag, against octave errors).</summary>
    private static (double Hz, double Seconds) EstimatePitch(SyntheticClipSpec clip, float[] audio)
    {
        const int Rate = ClipFormat.SampleRate, Half = 400;
        for (int k = 1; ; k++)
        {
            double t = (k + 0.5 - clip.Person.PathPhase) / clip.Cues.SyllablesPerSecond;
            int centre = (int)(t * Rate);
            Assert.That(centre + Half + 200, Is.LessThan(audio.Length), "no voiced syllable found");
            if (clip.Envelope(t) < 0.95) continue;
            var r = new double[200];
            for (int lag = 30; lag < 200; lag++)
            {
                double ab = 0, aa = 0, bb = 0;
                for (int i = centre - Half; i < centre + Half; i++)
                {
                    ab += audio[i] * (double)audio[i + lag];
                    aa += audio[i] * (double)audio[i];
                    bb += audio[i + lag] * (double)audio[i + lag];
                }
                r[lag] = ab / Math.Sqrt(aa * bb);
            }
            double best = r.Max();
            int period = Enumerable.Range(31, 168).First(l => r[l] >= 0.9 * best && r[l] >= r[l - 1] && r[l] >= r[l + 1]);
            double shift = 0.5 * (r[period - 1] - r[period + 1]) / (r[period - 1] - 2 * r[period] + r[period + 1]);
            return (Rate / (period + shift), t);
        }
    }

    [Test]
    public void A_seed_gives_the_same_files_and_another_seed_other_clips()
    {
        using var folder = new ScratchFolder("synth");
        var options = TinySyntheticSet.Options(folder["a"], clips: 3);
        SyntheticDataSet.Generate(options);
        SyntheticDataSet.Generate(options with { OutputDirectory = folder["b"], Jobs = 1 });
        var files = Directory.GetFiles(folder["a"], "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(folder["a"], f)).Order().ToArray();
        Assert.That(files.Count(f => f.EndsWith(".mp4")), Is.EqualTo(3));
        foreach (var f in files)
            Assert.That(File.ReadAllBytes(Path.Combine(folder["b"], f)), Is.EqualTo(File.ReadAllBytes(Path.Combine(folder["a"], f))), f);

        var other = SyntheticPlan.Make(3, TinySyntheticSet.Seed + 1);
        var same = SyntheticPlan.Make(3, TinySyntheticSet.Seed);
        Assert.That(other.Select(c => c.Name), Is.Not.EqualTo(same.Select(c => c.Name)));
    }

    [Test]
    public void A_rerun_skips_written_clips_and_other_settings_are_refused()
    {
        using var folder = new ScratchFolder("synth");
        var options = TinySyntheticSet.Options(folder.Path, clips: 3);
        var first = SyntheticDataSet.Generate(options);
        File.Delete(SyntheticDataSet.PathOf(folder.Path, first.Clips[1]));
        var second = SyntheticDataSet.Generate(options);
        Assert.That((second.Encoded, second.AlreadyPresent), Is.EqualTo((1, 2)));
        var e = Assert.Throws<InvalidInputException>(() => SyntheticDataSet.Generate(options with { Seconds = 4 }));
        Assert.That(e!.Message, Does.Contain(folder.Path).And.Contain("other settings"));
    }

    [Test]
    public void Bad_settings_are_refused_with_the_option_named()
    {
        var e = Assert.Throws<InvalidInputException>(() => SyntheticDataSet.Generate(new SyntheticDataSetOptions { OutputDirectory = "x", Seconds = 2 }));
        Assert.That(e!.Message, Does.Contain("--seconds"));
        Assert.Throws<InvalidInputException>(() => SyntheticDataSet.Generate(new SyntheticDataSetOptions { OutputDirectory = "x", Clips = 0 }));
        var size = Assert.Throws<InvalidInputException>(() => FrameSize.Parse("455x256", "--size"));
        Assert.That(size!.Message, Does.Contain("--size").And.Contain("even"));
        Assert.Throws<InvalidInputException>(() => FrameSize.Parse("big", "--size"));
    }
}
