using DeepImpression.Core;
using DeepImpression.Core.Layers;
using DeepImpression.Core.Optim;
using DeepImpression.Core.Serialization;
using DeepImpression.Core.Tensors;
using DeepImpression.Train.Data.Labels;
using DeepImpression.Train.Tests.Data;
using DeepImpression.Train.Tests.Labels;

namespace DeepImpression.Train.Tests.Commands;

/// <summary>Outputs that would destroy a model or a run's checkpoint are refused (issue 16, item 11).</summary>
[TestFixture]
[NonParallelizable]
public class OverwriteRefusalTests
{
    // Three imports of the whole network: about 10 s on 2 loaded cores.
    [Test, Category("Slow")]
    public void Import_refuses_to_replace_a_training_checkpoint_but_replaces_imported_weights()
    {
        using var folder = new ScratchFolder("overwrite");
        var net = new DeepImpression.Core.Model.DeepImpressionNet(Device.Cpu, seed: 2);
        NpzFile.Write(folder["original.npz"], net.NamedState().Select(s => ("predictor/" + s.Path, new NpyArray(s.Tensor.ToArray(), s.Tensor.Shape))));
        Checkpoint.Save(folder["last.npz"], net, new Adam(net.NamedParameters()), new Dictionary<string, double> { ["epoch"] = 3 });
        var before = File.ReadAllBytes(folder["last.npz"]);

        var (code, _, error) = Cli.Run("import", "--from", folder["original.npz"], "--out", folder["last.npz"]);
        Assert.That(code, Is.EqualTo(2));
        Assert.That(error, Is.EqualTo($"error: {folder["last.npz"]}: is a training run's checkpoint; writing imported weights over it would lose the run's optimizer and training state. Choose another file name.\n"));
        Assert.That(File.ReadAllBytes(folder["last.npz"]), Is.EqualTo(before));

        // Imported weights carry no run state: importing again over them is fine.
        Assert.That(Cli.Run("import", "--from", folder["original.npz"], "--out", folder["model.npz"]).Code, Is.Zero);
        Assert.That(Cli.Run("import", "--from", folder["original.npz"], "--out", folder["model.npz"]).Code, Is.Zero);
    }

    [Test]
    public void Evaluate_refuses_to_write_predictions_over_a_model_before_it_evaluates_anything()
    {
        using var folder = new ScratchFolder("overwrite");
        Checkpoint.Save(folder["model.npz"], new Linear(2, 1, new Rng(1), Device.Cpu));
        var before = File.ReadAllBytes(folder["model.npz"]);

        var (code, _, error) = Cli.Run("evaluate", "--model", folder["model.npz"], "--data", folder["no-cache"], "--predictions", folder["model.npz"]);
        Assert.That(code, Is.EqualTo(2));
        Assert.That(error, Is.EqualTo($"error: {folder["model.npz"]}: is a model file (npz); writing predictions (CSV) over it would destroy it. Choose another file name.\n"));
        Assert.That(File.ReadAllBytes(folder["model.npz"]), Is.EqualTo(before));

        // The CSV writers refuse it too, whoever calls them.
        var labels = LabelSamples.Random(2, seed: 1, withInterview: false);
        Assert.That(() => AnnotationFiles.WriteOfficialCsv(folder["model.npz"], labels), Throws.TypeOf<InvalidInputException>());
        Assert.That(File.ReadAllBytes(folder["model.npz"]), Is.EqualTo(before));
    }
}
