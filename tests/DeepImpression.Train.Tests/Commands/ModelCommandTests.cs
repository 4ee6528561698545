using System.Text.Json;
using DeepImpression.Core.Model;
using DeepImpression.Core.Serialization;
using DeepImpression.Core.Tensors;
using DeepImpression.Train.Commands;
using DeepImpression.Train.Data.Labels;
using DeepImpression.Train.Synthetic;
using DeepImpression.Train.Tests.Data;
using DeepImpression.Train.Tests.Training;
using DeepImpression.Train.Training;

namespace DeepImpression.Train.Tests.Commands;

/// <summary><c>evaluate</c>, <c>predict</c>, <c>import</c> and <c>train</c>'s refusals, run as a user runs them.</summary>
[TestFixture]
[NonParallelizable]
public class ModelCommandTests
{
    private static readonly Lazy<string> Trained = new(() => TinyTrainingCache.OneEpochCheckpoint);

    [Test]
    public void Evaluate_reports_four_decimal_accuracy_beside_the_baseline_and_writes_official_predictions_the_same_every_run()
    {
        string first = Path.Combine(Path.GetDirectoryName(Trained.Value)!, "first.csv"), second = Path.ChangeExtension(first, ".second.csv");
        var (code, output, error) = Cli.Run("evaluate", "--model", Trained.Value, "--data", TinyTrainingCache.Directory, "--predictions", first, "--chunk", "3");
        Assert.That(code, Is.Zero, error);
        Assert.That(output, Does.Contain("Extraversion").And.Contain("mean predictor").And.Match(@"mean\s+0\.\d{4}\s+0\.\d{4}"));
        Assert.That(File.ReadLines(first).First(), Is.EqualTo("VideoName,ValueExtraversion,ValueAgreeableness,ValueConscientiousness,ValueNeurotisicm,ValueOpenness"));
        var predicted = AnnotationFiles.Read(first);
        Assert.That(predicted.Count, Is.EqualTo(AnnotationFiles.Read(Path.Combine(TinySyntheticSet.Root, SyntheticDataSet.LabelFiles[SyntheticPlan.Validation])).Count));

        (code, _, _) = Cli.Run("evaluate", "--model", Trained.Value, "--data", TinyTrainingCache.Directory, "--predictions", second, "--chunk", "2");
        Assert.That(code, Is.Zero);
        var again = AnnotationFiles.Read(second);
        foreach (var (clip, scores) in predicted.Clips)
            Assert.That(again.Clips[clip].ToArray(), Is.EqualTo(scores.ToArray()).Within(1e-6), clip);
    }

    // Every frame at the test size of 456 x 256: about 250 GFLOP per video.
    [Test, Category("Slow")]
    public void Predict_scores_good_videos_and_gives_one_line_for_a_bad_one()
    {
        using var folder = new ScratchFolder("predict");
        var good = Directory.GetFiles(Path.Combine(TinySyntheticSet.Root, SyntheticPlan.Test), "*.mp4").Take(1).ToArray();
        string bad = folder["broken.mp4"];
        TestMedia.Garbage(bad);

        var (code, output, error) = Cli.Run(["predict", "--model", Trained.Value, "--json", .. good, bad]);
        Assert.That(code, Is.EqualTo(CommandErrors.BadInput));
        Assert.That(error.Trim().Split('\n'), Has.Length.EqualTo(1));
        Assert.That(error, Does.StartWith("error: ").And.Contain("broken.mp4"));
        using var doc = JsonDocument.Parse(output);
        Assert.That(doc.RootElement.GetArrayLength(), Is.EqualTo(1));
        var first = doc.RootElement[0];
        Assert.That(first.GetProperty("video").GetString(), Is.EqualTo(good[0]));
        foreach (var trait in new[] { "extraversion", "agreeableness", "conscientiousness", "neuroticism", "openness" })
            Assert.That(first.GetProperty(trait).GetDouble(), Is.InRange(0.0, 1.0));

        var (again, output2, _) = Cli.Run(["predict", "--model", Trained.Value, "--json", .. good]);
        Assert.That(again, Is.Zero);
        Assert.That(output2, Is.EqualTo(output), "the same scores on every run");
    }

    [Test]
    public void Import_turns_original_weights_into_a_checkpoint_and_refuses_a_partial_file()
    {
        using var folder = new ScratchFolder("import");
        var net = new DeepImpressionNet(Device.Cpu, seed: 12);
        var original = net.NamedState().Select(s => ("updater/model:main/" + s.Path, new NpyArray(s.Tensor.ToArray(), s.Tensor.Shape))).ToList();
        NpzFile.Write(folder["original.npz"], original);
        var (code, output, error) = Cli.Run("import", "--from", folder["original.npz"], "--out", folder["model.npz"]);
        Assert.That(code, Is.Zero, error);
        Assert.That(output, Does.Contain("prefix 'updater/model:main/' stripped"));
        var loaded = new DeepImpressionNet(Device.Cpu, seed: 13);
        Assert.That(ModelWeights.Load(folder["model.npz"], loaded).IsComplete, Is.True);
        Assert.That(loaded.Fusion.W.ToArray(), Is.EqualTo(net.Fusion.W.ToArray()));

        NpzFile.Write(folder["partial.npz"], original.Where(a => !a.Item1.EndsWith("fc/b")));
        (code, _, error) = Cli.Run("import", "--from", folder["partial.npz"], "--out", folder["partial-model.npz"]);
        Assert.That(code, Is.EqualTo(CommandErrors.BadInput));
        Assert.That(error, Does.Contain("partial.npz").And.Contain("1 missing: fc/b"));
        Assert.That(File.Exists(folder["partial-model.npz"]), Is.False);
    }

    [Test]
    public void Train_refuses_bad_arguments_with_one_line()
    {
        using var folder = new ScratchFolder("train-args");
        var (code, _, error) = Cli.Run("train", "--resume", folder["nothing-here"]);
        Assert.That(code, Is.EqualTo(CommandErrors.BadInput));
        Assert.That(error, Does.Contain("not a run folder"));
        (code, _, error) = Cli.Run("train", "--data", TinyTrainingCache.Directory, "--out", folder["run"], "--batch-size", "1");
        Assert.That(code, Is.EqualTo(CommandErrors.BadInput));
        Assert.That(error, Does.Contain("--batch-size"));
        (code, _, error) = Cli.Run("train", "--data", folder["no-cache"], "--out", folder["run2"]);
        Assert.That(code, Is.EqualTo(CommandErrors.BadInput));
        Assert.That(error.Trim().Split('\n'), Has.Length.EqualTo(1));
        Assert.That(error, Does.Contain("no-cache"));
    }
}
