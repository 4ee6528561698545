using System.Text.Json;
using DeepImpression.Core.Model;
using DeepImpression.Core.Serialization;
using DeepImpression.Core.Tensors;
using DeepImpression.Train.Commands;
using DeepImpression.Train.Data.Cache;
using DeepImpression.Train.Data.Decoding;
using DeepImpression.Train.Evaluation;
using DeepImpression.Train.Synthetic;
using DeepImpression.Train.Tests.Data;
using DeepImpression.Train.Tests.Training;

namespace DeepImpression.Train.Tests.Commands;

/// <summary>
/// <c>predict</c> streams a video's audio and frames from ffmpeg: the streamed data are the decoder's, the frames it
/// reads are said and can be those of <c>evaluate</c>, folders are read, and broken weights are refused unless asked
/// (and then a NaN score is JSON null, the other scores kept).
/// </summary>
[TestFixture]
[NonParallelizable]
public class PredictStreamingTests
{
    private static string[] Videos(string split) => Directory.GetFiles(Path.Combine(TinySyntheticSet.Root, split), "*.mp4").Order(StringComparer.Ordinal).ToArray();

    [TestCase(null)]
    [TestCase(4)]
    [TestCase(1000)]
    public void Streamed_audio_and_frames_are_exactly_what_the_clip_decoder_decodes(int? frames)
    {
        string video = Videos(SyntheticPlan.Validation)[0];
        var size = TinySyntheticSet.Size;
        // More frames than the clip has means all of them (ClipDecoder's select filter cannot take 100-odd terms).
        var whole = new ClipDecoder(size, minimumAudioSamples: 1).Decode(video, frames is < 100 ? frames : null);
        var info = MediaProbe.Probe(video);

        var audio = new List<float>();
        long samples = StreamingAudioReader.Read(info, piece => audio.AddRange(piece.ToArray()));
        Assert.That(samples, Is.EqualTo(whole.Audio.Length));
        Assert.That(audio.ToArray(), Is.EqualTo(whole.Audio));

        var streamed = new List<float>();
        var chunks = new List<int>();
        var report = new StreamingFrameReader(size, new FrameSelection(MaxFrames: frames), chunkFrames: 3).Read(info, (chunk, count) =>
        {
            chunks.Add(count);
            streamed.AddRange(chunk[..(count * size.BytesPerFrame)].ToArray());
        });
        Assert.That(report.Used, Is.EqualTo(whole.FrameCount));
        Assert.That(chunks.Sum(), Is.EqualTo(whole.FrameCount));
        Assert.That(chunks.Take(chunks.Count - 1), Is.All.EqualTo(3), "full chunks but the last");
        Assert.That(streamed.Select(v => (byte)v).ToArray(), Is.EqualTo(whole.Frames), "planar RGB, the decoder's bytes as floats");
        if (frames is { } k && k < report.Decoded)
            Assert.That(report.Indices, Is.EqualTo(ClipDecoder.EvenlySpacedFrames(report.Decoded, k)));
        else
            Assert.That(report.Indices, Is.Null);
    }

    /// <summary>
    /// <c>predict --frames K --frame-size</c> of a cache reads the frames <c>prepare</c> cached and the same waveform,
    /// through the same <see cref="ClipScorer"/> in the same chunks: the same operations on the same values, so the
    /// same bits as <c>evaluate</c>'s scores.
    /// </summary>
    [Test]
    public void Predict_with_the_caches_frames_gives_evaluates_scores()
    {
        var net = new DeepImpressionNet(Device.Cpu, seed: 6);
        net.SetTraining(false);
        using var cache = ClipCache.Open(TinyTrainingCache.Directory);
        var clips = cache.Split(SyntheticPlan.Validation);
        var evaluated = Evaluator.Predict(net, cache, clips, chunkSize: 32);
        var predictor = new VideoPredictor(net, new VideoPredictorOptions
        {
            Frames = new FrameSelection(MaxFrames: cache.Header.FramesPerClip), FrameSize = cache.FrameSize,
        });
        foreach (var p in evaluated)
        {
            var video = Path.Combine(TinySyntheticSet.Root, SyntheticPlan.Validation, p.Clip);
            var predicted = predictor.Score(video);
            Assert.That(predicted.Frames.Used, Is.EqualTo(cache.Header.FramesPerClip));
            Assert.That(predicted.Scores.ToArray(), Is.EqualTo(p.Predicted.ToArray()), p.Clip);
        }
    }

    [Test]
    public void A_folder_is_read_as_its_videos_and_each_line_says_which_frames()
    {
        using var folder = new ScratchFolder("predict-folder");
        var model = ModelWithFusionBias(float.NaN, folder["model.npz"]);
        string videos = Path.Combine(TinySyntheticSet.Root, SyntheticPlan.Test);
        var (code, output, error) = Cli.Run("predict", "--model", model, "--allow-non-finite", "--frames", "2", "--frame-size", "64x36", "--json", videos);
        Assert.That(code, Is.Zero, error);
        using var doc = JsonDocument.Parse(output);
        var names = doc.RootElement.EnumerateArray().Select(e => e.GetProperty("video").GetString()).ToArray();
        Assert.That(names, Is.EqualTo(Videos(SyntheticPlan.Test)));
        foreach (var e in doc.RootElement.EnumerateArray())
        {
            Assert.That(e.GetProperty("frames").GetProperty("used").GetInt32(), Is.EqualTo(2));
            Assert.That(e.GetProperty("frames").GetProperty("indices").GetArrayLength(), Is.EqualTo(2));
        }

        (code, output, _) = Cli.Run("predict", "--model", model, "--allow-non-finite", "--frames", "2", "--frame-size", "64x36", videos);
        Assert.That(code, Is.Zero);
        Assert.That(output, Does.Contain("2 of ").And.Contain("frames ("));
    }

    [Test]
    public void Weights_with_nan_are_refused_unless_allowed_and_then_nan_scores_are_null_in_valid_json()
    {
        using var folder = new ScratchFolder("predict-nan");
        var model = ModelWithFusionBias(float.NaN, folder["nan-model.npz"]);
        string video = Videos(SyntheticPlan.Test)[0];
        var (code, output, error) = Cli.Run("predict", "--model", model, "--frames", "1", "--frame-size", "64x36", video);
        Assert.That(code, Is.EqualTo(CommandErrors.BadInput));
        Assert.That(error, Does.StartWith("error: ").And.Contain(model).And.Contain("fc/b").And.Contain("--allow-non-finite"));
        Assert.That(output, Is.Empty);

        (code, output, error) = Cli.Run("predict", "--model", model, "--allow-non-finite", "--frames", "1", "--frame-size", "64x36", "--json", video, video);
        Assert.That(code, Is.Zero, error);
        using var doc = JsonDocument.Parse(output);
        Assert.That(doc.RootElement.GetArrayLength(), Is.EqualTo(2), "every result is kept");
        foreach (var e in doc.RootElement.EnumerateArray())
        {
            Assert.That(e.GetProperty("extraversion").ValueKind, Is.EqualTo(JsonValueKind.Null), "the NaN score");
            foreach (var trait in new[] { "agreeableness", "conscientiousness", "neuroticism", "openness" })
                Assert.That(e.GetProperty(trait).GetDouble(), Is.InRange(0.0, 1.0), trait);
        }

        (code, _, error) = Cli.Run("evaluate", "--model", model, "--data", TinyTrainingCache.Directory, "--predictions", Path.Combine(folder.Path, "p.csv"));
        Assert.That(code, Is.EqualTo(CommandErrors.BadInput));
        Assert.That(error, Does.Contain("--allow-non-finite"));
    }

    /// <summary>A fresh network's weights with the fusion layer's first bias (Extraversion's) set to <paramref name="bias"/>.</summary>
    private static string ModelWithFusionBias(float bias, string path)
    {
        var net = new DeepImpressionNet(Device.Cpu, seed: 8);
        var b = net.Fusion.B.ToArray();
        b[0] = bias;
        net.Fusion.B.CopyFrom(b);
        NpzFile.Write(path, net.NamedState().Select(s => (s.Path, new NpyArray(s.Tensor.ToArray(), s.Tensor.Shape))).ToList());
        return path;
    }
}
