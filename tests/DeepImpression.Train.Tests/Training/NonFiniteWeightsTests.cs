using DeepImpression.Core.Serialization;
using DeepImpression.Train.Evaluation;
using DeepImpression.Train.Tests.Data;
using DeepImpression.Train.Training;

namespace DeepImpression.Train.Tests.Training;

/// <summary>Weights with NaN or infinity are never kept as a good checkpoint.</summary>
[TestFixture]
public class NonFiniteWeightsTests
{
    [Test]
    public void The_finite_check_finds_nan_and_both_infinities_anywhere_in_an_array()
    {
        foreach (int length in new[] { 1, 7, 16, 33, 1000 })
        {
            var values = Enumerable.Range(0, length).Select(i => (float)Math.Sin(i) * 1e30f).ToArray();
            Assert.That(FiniteWeights.AllFinite(values), Is.True, $"{length} finite values");
            foreach (float bad in new[] { float.NaN, float.PositiveInfinity, float.NegativeInfinity })
                foreach (int at in new[] { 0, length / 2, length - 1 })
                {
                    var copy = (float[])values.Clone();
                    copy[at] = bad;
                    Assert.That(FiniteWeights.AllFinite(copy), Is.False, $"{bad} at {at} of {length}");
                }
        }
        Assert.That(FiniteWeights.AllFinite([float.MaxValue, -float.MaxValue, float.Epsilon]), Is.True);
    }

    /// <summary>
    /// A step whose loss is finite but whose update leaves NaN in the weights (here: Adam's second moment of fc/b
    /// corrupted in the checkpoint the run resumes from) must not be saved: the run stops, naming the arrays, and
    /// last.npz stays the last good one.
    /// </summary>
    [Test]
    public void A_run_whose_weights_become_non_finite_stops_without_saving_them()
    {
        using var folder = new ScratchFolder("non-finite");
        var options = TinyTrainingCache.Options(folder["run"], epochs: 1) with { EvalEvery = 0, MaxSteps = 1 };
        Assert.That(new Trainer(options, TextWriter.Null, false).Train(false, CancellationToken.None), Is.EqualTo(TrainingOutcome.StepLimit));
        var run = new RunFolder(options.RunDirectory);
        var good = Rewrite(run.LastCheckpoint, "optimizer/fc/b/v", v => Array.Fill(v, float.NaN));

        var losses = new List<float>();
        var output = new StringWriter();
        var outcome = new Trainer(options with { MaxSteps = 2 }, output, false) { StepCompleted = (_, loss) => losses.Add(loss) }.Train(true, CancellationToken.None);
        Assert.That(outcome, Is.EqualTo(TrainingOutcome.Diverged));
        Assert.That(losses, Has.Count.EqualTo(1).And.All.Matches<float>(float.IsFinite), "the bad step's own loss was finite");
        Assert.That(output.ToString(), Does.Contain("the weights are no longer finite at step 2").And.Contain("fc/b").And.Contain(run.LastCheckpoint));
        Assert.That(File.ReadAllBytes(run.LastCheckpoint), Is.EqualTo(good), "the last good checkpoint is untouched");
    }

    [Test]
    public void A_loss_that_becomes_nan_stops_the_run_and_keeps_the_last_good_checkpoint()
    {
        using var folder = new ScratchFolder("nan-loss");
        var options = TinyTrainingCache.Options(folder["run"], epochs: 1) with { EvalEvery = 0, MaxSteps = 1 };
        Assert.That(new Trainer(options, TextWriter.Null, false).Train(false, CancellationToken.None), Is.EqualTo(TrainingOutcome.StepLimit));
        var run = new RunFolder(options.RunDirectory);
        // A weight of the fusion layer that is NaN makes the next loss NaN.
        var good = Rewrite(run.LastCheckpoint, "fc/W", w => w[0] = float.NaN);

        var output = new StringWriter();
        var outcome = new Trainer(options with { MaxSteps = 0, Epochs = 4 }, output, false).Train(true, CancellationToken.None);
        Assert.That(outcome, Is.EqualTo(TrainingOutcome.Diverged));
        Assert.That(output.ToString(), Does.Contain("the loss became").And.Contain("at step 2").And.Contain(run.LastCheckpoint));
        Assert.That(File.ReadAllBytes(run.LastCheckpoint), Is.EqualTo(good));
    }

    /// <summary>Changes one array of a checkpoint in place; returns the file's new bytes.</summary>
    private static byte[] Rewrite(string checkpoint, string key, Action<float[]> change)
    {
        var arrays = NpzFile.Read(checkpoint).Select(a => (a.Key, a.Value)).ToList();
        int i = arrays.FindIndex(a => a.Key == key);
        var values = arrays[i].Value.ToFloat32();
        change(values);
        arrays[i] = (key, new NpyArray(values, arrays[i].Value.Shape));
        NpzFile.Write(checkpoint, arrays);
        return File.ReadAllBytes(checkpoint);
    }
}
