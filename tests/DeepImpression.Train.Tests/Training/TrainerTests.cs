using DeepImpression.Core;
using DeepImpression.Core.Serialization;
using DeepImpression.Train.Training;

namespace DeepImpression.Train.Tests.Training;

[TestFixture]
public class TrainerTests
{
    private string _root = null!;

    [SetUp]
    public void SetUp() => System.IO.Directory.CreateDirectory(_root = Path.Combine(Path.GetTempPath(), "deepimpression-tests", "runs-" + Guid.NewGuid().ToString("N")));

    [TearDown]
    public void TearDown() => System.IO.Directory.Delete(_root, recursive: true);

    private static (TrainingOutcome Outcome, List<float> Losses) Train(TrainingOptions options, bool resume, Func<long, bool>? stopAfter = null)
    {
        var losses = new List<float>();
        using var stop = new CancellationTokenSource();
        var trainer = new Trainer(options, TextWriter.Null, interactive: false)
        {
            StepCompleted = (step, loss) =>
            {
                losses.Add(loss);
                if (stopAfter?.Invoke(step) == true) stop.Cancel();
            },
        };
        return (trainer.Train(resume, stop.Token), losses);
    }

    private static Dictionary<string, float[]> ModelArrays(string checkpoint) =>
        NpzFile.Read(checkpoint).Where(a => !a.Key.StartsWith("training/", StringComparison.Ordinal))
            .ToDictionary(a => a.Key, a => a.Value.ToFloat32());

    [Test, Category("Slow")]
    public void A_run_stopped_and_resumed_makes_the_same_steps_bit_for_bit_as_one_that_was_not()
    {
        var whole = TinyTrainingCache.Options(Path.Combine(_root, "whole"));
        var (outcome, reference) = Train(whole, resume: false);
        Assert.That(outcome, Is.EqualTo(TrainingOutcome.Completed));
        Assert.That(reference, Has.Count.GreaterThanOrEqualTo(4));
        Assert.That(reference, Is.All.Matches<float>(float.IsFinite));

        // Stopped by the step limit in the middle of the first epoch, then resumed.
        var limited = TinyTrainingCache.Options(Path.Combine(_root, "limited")) with { MaxSteps = 1 };
        var (first, before) = Train(limited, resume: false);
        Assert.That(first, Is.EqualTo(TrainingOutcome.StepLimit));
        var (second, after) = Train(limited with { MaxSteps = 0 }, resume: true);
        Assert.That(second, Is.EqualTo(TrainingOutcome.Completed));
        Assert.That(before.Concat(after).ToArray(), Is.EqualTo(reference.ToArray()), "losses after resuming from a step limit");

        // Interrupted (as by Ctrl-C or SIGTERM) in the second epoch, then resumed.
        var interrupted = TinyTrainingCache.Options(Path.Combine(_root, "interrupted"));
        int stopAt = reference.Count - 1;
        var (third, partial) = Train(interrupted, resume: false, stopAfter: step => step == stopAt);
        Assert.That(third, Is.EqualTo(TrainingOutcome.Interrupted));
        Assert.That(partial, Has.Count.EqualTo(stopAt));
        var (fourth, rest) = Train(interrupted, resume: true);
        Assert.That(fourth, Is.EqualTo(TrainingOutcome.Completed));
        Assert.That(partial.Concat(rest).ToArray(), Is.EqualTo(reference.ToArray()), "losses after resuming from an interrupt");

        var expected = ModelArrays(new RunFolder(whole.RunDirectory).LastCheckpoint);
        foreach (var run in new[] { limited, interrupted })
        {
            var actual = ModelArrays(new RunFolder(run.RunDirectory).LastCheckpoint);
            Assert.That(actual.Keys, Is.EquivalentTo(expected.Keys));
            foreach (var (key, values) in expected) Assert.That(actual[key], Is.EqualTo(values), $"{run.RunDirectory}: {key}");
        }
    }

    [Test]
    public void Two_runs_with_the_same_seed_are_identical()
    {
        var (_, a) = Train(TinyTrainingCache.Options(Path.Combine(_root, "a"), epochs: 1) with { EvalEvery = 0 }, resume: false);
        var (_, b) = Train(TinyTrainingCache.Options(Path.Combine(_root, "b"), epochs: 1) with { EvalEvery = 0 }, resume: false);
        Assert.That(b.ToArray(), Is.EqualTo(a.ToArray()));
    }

    [Test]
    public void Every_epoch_is_logged_and_checkpointed()
    {
        var options = TinyTrainingCache.Options(Path.Combine(_root, "run"));
        var trainer = new Trainer(options, TextWriter.Null, interactive: false);
        Assert.That(trainer.Train(false, CancellationToken.None), Is.EqualTo(TrainingOutcome.Completed));
        var run = new RunFolder(options.RunDirectory);
        var rows = new MetricsLog(run.Metrics).Rows;
        Assert.That(rows.Select(r => r.Epoch), Is.EqualTo(new[] { 0, 1 }));
        Assert.That(rows, Is.All.Matches<MetricsRow>(r => r.ValidationMean is > 0 and <= 1 && double.IsFinite(r.TrainLoss) && r.ExamplesPerSecond > 0));
        Assert.That(File.Exists(run.LastCheckpoint) && File.Exists(run.BestCheckpoint) && File.Exists(run.Config), Is.True);
        Assert.That(new FileInfo(run.Curves).Length, Is.GreaterThan(1000), "the PNG of the curves");
        Assert.That(trainer.BaselineValidation, Is.Not.Null);
    }

    [Test]
    public void A_fresh_run_refuses_a_folder_that_has_a_checkpoint_and_a_truncated_one_cannot_be_resumed()
    {
        var options = TinyTrainingCache.Options(Path.Combine(_root, "run"), epochs: 1) with { EvalEvery = 0, MaxSteps = 1 };
        new Trainer(options, TextWriter.Null, false).Train(false, CancellationToken.None);
        var ex = Assert.Throws<InvalidInputException>(() => new Trainer(options, TextWriter.Null, false).Train(false, CancellationToken.None));
        Assert.That(ex!.Message, Does.Contain("--resume"));

        var last = new RunFolder(options.RunDirectory).LastCheckpoint;
        var bytes = File.ReadAllBytes(last);
        File.WriteAllBytes(last, bytes[..(bytes.Length * 2 / 3)]);
        ex = Assert.Throws<InvalidInputException>(() => new Trainer(options with { MaxSteps = 0 }, TextWriter.Null, false).Train(true, CancellationToken.None));
        Assert.That(ex!.Message, Does.Contain(last));
    }
}
