using DeepImpression.Core;
using DeepImpression.Train.Data;
using DeepImpression.Train.Data.Decoding;
using DeepImpression.Train.Synthetic;

namespace DeepImpression.Train.Tests.Data;

[TestFixture]
public class ClipDecoderTests
{
    private static SyntheticClipSpec FirstTrainClip => TinySyntheticSet.Report.Clips.First(c => c.Split == SyntheticPlan.Train);

    private static string PathOf(SyntheticClipSpec clip) => SyntheticDataSet.PathOf(TinySyntheticSet.Root, clip);

    [Test]
    public void Evenly_spaced_frames_are_increasing_in_range_and_spread_over_the_clip()
    {
        foreach (var (total, wanted) in new[] { (450, 32), (105, 6), (7, 7), (5, 9), (1, 1), (100, 1) })
        {
            var idx = ClipDecoder.EvenlySpacedFrames(total, wanted);
            Assert.That(idx, Has.Length.EqualTo(Math.Min(total, wanted)));
            Assert.That(idx, Is.Ordered.Ascending);
            Assert.That(idx.Distinct().Count(), Is.EqualTo(idx.Length));
            Assert.That(idx.All(i => i >= 0 && i < total), Is.True);
            // Each index sits inside its own 1/wanted stretch of the clip.
            for (int i = 0; i < idx.Length && wanted <= total; i++)
                Assert.That(idx[i], Is.InRange(i * total / (double)wanted, (i + 1) * total / (double)wanted));
        }
    }

    [Test]
    public void Audio_is_16kHz_mono_in_range_and_matches_what_was_encoded()
    {
        var clip = FirstTrainClip;
        var audio = new ClipDecoder(TinySyntheticSet.Size).DecodeAudio(PathOf(clip));
        Assert.That(audio.Length, Is.EqualTo(TinySyntheticSet.Seconds * ClipFormat.SampleRate).Within(0.02 * TinySyntheticSet.Seconds * ClipFormat.SampleRate));
        Assert.That(audio.All(v => v is >= -1f and <= 1f), Is.True);

        // AAC is lossy and delays a little: the decoded wave must still correlate with the rendered one at some small lag.
        var original = SyntheticVoice.Render(clip, TinySyntheticSet.Seconds);
        double best = Enumerable.Range(-600, 1201).Max(lag => Correlation(original, audio, lag));
        Assert.That(best, Is.GreaterThan(0.9));
    }

    [Test]
    public void Selected_frames_are_the_right_frames_in_RGB_planar_order()
    {
        var clip = FirstTrainClip;
        var decoder = new ClipDecoder(TinySyntheticSet.Size);
        var all = decoder.DecodeFrames(PathOf(clip), null);
        int total = (int)Math.Round(TinySyntheticSet.Seconds * 30);
        Assert.That(all.FrameCount, Is.EqualTo(total));

        var some = decoder.DecodeFrames(PathOf(clip), 6);
        var indices = ClipDecoder.EvenlySpacedFrames(total, 6);
        Assert.That(some.FrameCount, Is.EqualTo(6));
        for (int i = 0; i < 6; i++)
            Assert.That(some.Frame(i).SequenceEqual(all.Frame(indices[i])), Is.True, $"selected frame {i} is not frame {indices[i]}");

        // Against the renderer: H.264 is lossy, but a wrong frame, channel order or layout would be far off.
        var renderer = new SyntheticFrameRenderer(clip, TinySyntheticSet.Size, 30);
        var size = TinySyntheticSet.Size;
        var rgb = new byte[size.BytesPerFrame];
        foreach (int f in new[] { 0, indices[3], total - 1 })
        {
            renderer.Render(f, rgb);
            Assert.That(MeanAbsoluteDifference(rgb, all.Frame(f), size), Is.LessThan(8), $"frame {f}");
            if (f > 0) Assert.That(MeanAbsoluteDifference(rgb, all.Frame(0), size), Is.GreaterThan(MeanAbsoluteDifference(rgb, all.Frame(f), size)));
        }
    }

    [Test]
    public void Frames_are_scaled_to_the_requested_size()
    {
        var frames = new ClipDecoder(FrameSize.Network).DecodeFrames(PathOf(FirstTrainClip), 2);
        Assert.That(frames.FrameSize, Is.EqualTo(new FrameSize(456, 256)));
        Assert.That(frames.Frames, Has.Length.EqualTo(2 * 3 * 456 * 256));
    }

    [Test]
    public void A_missing_file_is_named()
    {
        var e = Assert.Throws<InvalidInputException>(() => new ClipDecoder().Decode("/nonexistent/abc.000.mp4", 4));
        Assert.That(e!.Message, Does.Contain("/nonexistent/abc.000.mp4").And.Contain("not found"));
    }

    [Test]
    public void A_clip_without_audio_is_refused()
    {
        using var folder = new ScratchFolder("decoder");
        var path = TestMedia.Make(folder["silent.000.mp4"], 4, withAudio: false);
        var e = Assert.Throws<InvalidInputException>(() => new ClipDecoder(TinySyntheticSet.Size).Decode(path, 4));
        Assert.That(e!.Message, Does.Contain(path).And.Contain("no audio track"));
    }

    [Test]
    public void Audio_shorter_than_a_training_window_is_refused()
    {
        using var folder = new ScratchFolder("decoder");
        var path = TestMedia.Make(folder["short.000.mp4"], 2, withAudio: true);
        var e = Assert.Throws<InvalidInputException>(() => new ClipDecoder(TinySyntheticSet.Size).Decode(path, 4));
        Assert.That(e!.Message, Does.Contain(path).And.Contain("too short").And.Contain("50,176"));
    }

    [Test]
    public void A_corrupt_file_is_refused_with_ffmpegs_reason()
    {
        using var folder = new ScratchFolder("decoder");
        var path = TestMedia.Garbage(folder["corrupt.000.mp4"]);
        var e = Assert.Throws<InvalidInputException>(() => new ClipDecoder(TinySyntheticSet.Size).Decode(path, 4));
        Assert.That(e!.Message, Does.Contain(path).And.Contain("unreadable or corrupt").And.Contain("Invalid data"));
    }

    [Test]
    public void A_truncated_file_is_refused()
    {
        using var folder = new ScratchFolder("decoder");
        // The synthetic clips keep their index at the front (faststart), so a cut file still opens: the decoder
        // must notice that the data ends early.
        var path = TestMedia.Truncated(PathOf(FirstTrainClip), folder["cut.000.mp4"], 0.5);
        var e = Assert.Throws<InvalidInputException>(() => new ClipDecoder(TinySyntheticSet.Size).Decode(path, 4));
        Assert.That(e!.Message, Does.Contain(path).And.Contain("truncated or corrupt"));
    }

    [Test]
    public void A_missing_ffmpeg_says_how_to_install_it()
    {
        var e = Assert.Throws<InvalidInputException>(() => ExternalTool.Run("ffmpeg-that-is-not-installed", ["-version"]));
        Assert.That(e!.Message, Does.Contain("install ffmpeg").And.Contain("scripts/setup.sh"));
    }

    [Test]
    public void Cancelling_kills_the_tool()
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var started = DateTime.UtcNow;
        Assert.Catch<OperationCanceledException>(() => ExternalTool.Run(ExternalTool.Ffmpeg,
            ["-nostdin", "-v", "error", "-re", "-f", "lavfi", "-i", "sine", "-t", "30", "-f", "null", "-"], cancellation: cancel.Token));
        Assert.That(DateTime.UtcNow - started, Is.LessThan(TimeSpan.FromSeconds(10)));
    }

    private static double Correlation(float[] a, float[] b, int lag)
    {
        double ab = 0, aa = 0, bb = 0;
        for (int i = 0; i < a.Length; i++)
        {
            int j = i + lag;
            if (j < 0 || j >= b.Length) continue;
            ab += a[i] * (double)b[j];
            aa += a[i] * (double)a[i];
            bb += b[j] * (double)b[j];
        }
        return ab / Math.Sqrt(aa * bb + 1e-30);
    }

    /// <summary>Interleaved rgb24 against planar 3 x H x W.</summary>
    private static double MeanAbsoluteDifference(byte[] interleaved, ReadOnlySpan<byte> planar, FrameSize size)
    {
        int plane = size.Width * size.Height;
        double sum = 0;
        for (int p = 0; p < plane; p++)
            for (int c = 0; c < 3; c++)
                sum += Math.Abs(interleaved[3 * p + c] - planar[c * plane + p]);
        return sum / (3.0 * plane);
    }
}
