using DeepImpression.Core.Serialization;
using DeepImpression.Train.Training;

namespace DeepImpression.Train.Tests.Training;

/// <summary>
/// <see cref="Trainer.ValidationCompleted"/> and <see cref="Trainer.CheckpointSaved"/> let a program follow a run
/// without reading its console: each event must say what the run folder records at that moment.
/// </summary>
[TestFixture]
public class TrainerCallbackTests
{
    private string _root = null!;

    [SetUp]
    public void SetUp() => System.IO.Directory.CreateDirectory(_root = Path.Combine(Path.GetTempPath(), "deepimpression-tests", "callbacks-" + Guid.NewGuid().ToString("N")));

    [TearDown]
    public void TearDown() => System.IO.Directory.Delete(_root, recursive: true);

    /// <summary>A checkpoint event and what its file held when the event came.</summary>
    private sealed record Seen(TrainingCheckpoint Event, long Step, int Epoch, int Batch, byte[] Bytes);

    private static Seen Observe(TrainingCheckpoint c)
    {
        Assert.That(File.Exists(c.Path), Is.True, $"{c.Reason}: {c.Path} is not on disk when its callback runs");
        var file = NpzFile.Read(c.Path);
        double Scalar(string name) => file[Checkpoint.TrainingPrefix + name].ToFloat64()[0];
        return new Seen(c, (long)Scalar("step"), (int)Scalar("epoch"), (int)Scalar("batch"), File.ReadAllBytes(c.Path));
    }

    [Test]
    public void Each_validation_and_checkpoint_is_reported_as_the_run_folder_records_it()
    {
        var options = TinyTrainingCache.Options(Path.Combine(_root, "run"), epochs: 2) with { EvalEvery = 1 };
        var validations = new List<TrainingValidation>();
        var checkpoints = new List<Seen>();
        var metricsRowsAtValidation = new List<int>();
        long lastStep = 0;
        var trainer = new Trainer(options, TextWriter.Null, interactive: false)
        {
            StepCompleted = (step, _) => lastStep = step,
            ValidationCompleted = v =>
            {
                validations.Add(v);
                metricsRowsAtValidation.Add(new MetricsLog(new RunFolder(options.RunDirectory).Metrics).Rows.Count);
            },
            CheckpointSaved = c => checkpoints.Add(Observe(c)),
        };

        Assert.That(trainer.Train(resume: false, CancellationToken.None), Is.EqualTo(TrainingOutcome.Completed));
        var run = trainer.Run;
        var rows = new MetricsLog(run.Metrics).Rows;

        // One validation per epoch, each equal to its metrics.csv row, which is already written when it is reported.
        Assert.That(validations.Select(v => v.Epoch), Is.EqualTo(new[] { 0, 1 }));
        Assert.That(metricsRowsAtValidation, Is.EqualTo(new[] { 1, 2 }));
        for (int e = 0; e < 2; e++)
        {
            var (v, row) = (validations[e], rows[e]);
            Assert.That(v.Step, Is.EqualTo(row.Step));
            Assert.That(v.Accuracy.PerTrait, Is.EqualTo(new[]
            {
                row.ValidationExtraversion, row.ValidationAgreeableness, row.ValidationConscientiousness,
                row.ValidationNeuroticism, row.ValidationOpenness,
            }));
            Assert.That(v.Accuracy.Mean, Is.EqualTo(row.ValidationMean));
            Assert.That(v.Baseline, Is.SameAs(trainer.BaselineValidation));
        }
        Assert.That(validations[1].Step, Is.EqualTo(lastStep));
        // The first validation is always a new best; the second only if its mean is higher.
        Assert.That(validations[0].IsBest, Is.True);
        Assert.That(validations[1].IsBest, Is.EqualTo(validations[1].Accuracy.Mean > validations[0].Accuracy.Mean));
        var best = validations.Last(v => v.IsBest);
        Assert.That(trainer.BestValidation, Is.SameAs(best.Accuracy));
        Assert.That(trainer.BestStep, Is.EqualTo(best.Step));

        // Each epoch end writes last.npz, and best.npz after it when the validation was a new best.
        var expected = new List<(CheckpointReason, string, long, int)>();
        foreach (var v in validations)
        {
            expected.Add((CheckpointReason.EpochEnd, run.LastCheckpoint, v.Step, v.Epoch + 1));
            if (v.IsBest) expected.Add((CheckpointReason.Best, run.BestCheckpoint, v.Step, v.Epoch + 1));
        }
        Assert.That(checkpoints.Select(c => (c.Event.Reason, c.Event.Path, c.Event.Step, c.Event.Epoch)), Is.EqualTo(expected));
        foreach (var c in checkpoints)
        {
            // The position reported is the one the file holds: what a resume would start from.
            Assert.That((c.Step, c.Epoch, c.Batch), Is.EqualTo((c.Event.Step, c.Event.Epoch, c.Event.Batch)), $"{c.Event.Reason} at step {c.Event.Step}");
            Assert.That(c.Event.Batch, Is.Zero);
        }
        Assert.That(File.ReadAllBytes(run.BestCheckpoint), Is.EqualTo(checkpoints.Last(c => c.Event.Reason == CheckpointReason.Best).Bytes));
        Assert.That(File.ReadAllBytes(run.LastCheckpoint), Is.EqualTo(checkpoints.Last(c => c.Event.Reason == CheckpointReason.EpochEnd).Bytes));
    }

    [Test]
    public void The_step_limit_and_an_interrupt_are_reported_as_their_own_reasons()
    {
        var limited = TinyTrainingCache.Options(Path.Combine(_root, "limited"), epochs: 1) with { EvalEvery = 0, MaxSteps = 1 };
        var seen = new List<Seen>();
        var trainer = new Trainer(limited, TextWriter.Null, interactive: false) { CheckpointSaved = c => seen.Add(Observe(c)) };
        Assert.That(trainer.Train(resume: false, CancellationToken.None), Is.EqualTo(TrainingOutcome.StepLimit));
        Assert.That(seen.Select(s => (s.Event.Reason, s.Event.Path, s.Event.Step, s.Event.Epoch, s.Event.Batch)),
            Is.EqualTo(new[] { (CheckpointReason.StepLimit, trainer.Run.LastCheckpoint, 1L, 0, 1) }));
        Assert.That((seen[0].Step, seen[0].Epoch, seen[0].Batch), Is.EqualTo((1L, 0, 1)));

        // Resumed, then stopped after its next step: the interrupt's checkpoint holds that step.
        seen.Clear();
        using var stop = new CancellationTokenSource();
        var resumed = new Trainer(limited with { MaxSteps = 0 }, TextWriter.Null, interactive: false)
        {
            StepCompleted = (_, _) => stop.Cancel(),
            CheckpointSaved = c => seen.Add(Observe(c)),
        };
        Assert.That(resumed.Train(resume: true, stop.Token), Is.EqualTo(TrainingOutcome.Interrupted));
        Assert.That(seen.Select(s => (s.Event.Reason, s.Event.Step, s.Event.Epoch, s.Event.Batch)),
            Is.EqualTo(new[] { (CheckpointReason.Interrupted, 2L, 0, 2) }));
        Assert.That((seen[0].Step, seen[0].Epoch, seen[0].Batch), Is.EqualTo((2L, 0, 2)));
    }
}
