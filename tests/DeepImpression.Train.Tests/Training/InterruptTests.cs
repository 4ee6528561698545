using DeepImpression.Core;
using DeepImpression.Core.Serialization;
using DeepImpression.Train.Tests.Data;
using DeepImpression.Train.Training;

namespace DeepImpression.Train.Tests.Training;

/// <summary>
/// A stop (Ctrl-C, SIGTERM) at any phase of a run ends with <c>last.npz</c> holding the last completed step, and the
/// run resumes from it; and only one run writes a run folder at a time.
/// </summary>
[TestFixture]
public class InterruptTests
{
    /// <summary>A tiny run that validates and recomputes batch-norm statistics every epoch, so every phase occurs.</summary>
    private static TrainingOptions Options(string folder, int workers) =>
        TinyTrainingCache.Options(folder, epochs: 2) with { EvalEvery = 1, PreciseBatchNormExamples = 4, Workers = workers };

    /// <summary>
    /// The stop request arrives as the phase begins, at its <paramref name="occurrence"/>-th time: the first epoch's
    /// second batch (loading, step), the first validation's second clip, the second epoch's batch-norm pass (after the
    /// last step: the resumed run starts at the end of an epoch), the first checkpoint.
    /// </summary>
    [TestCase(TrainingPhase.Loading, 2, 2)]
    [TestCase(TrainingPhase.Loading, 0, 2)]
    [TestCase(TrainingPhase.Step, 2, 2)]
    [TestCase(TrainingPhase.PreciseBatchNorm, 2, 1)]
    [TestCase(TrainingPhase.PreciseBatchNorm, 2, 2)]
    [TestCase(TrainingPhase.Validation, 2, 2)]
    [TestCase(TrainingPhase.Checkpoint, 2, 1)]
    public void A_stop_at_any_phase_saves_the_last_completed_step_and_the_run_resumes(TrainingPhase phase, int workers, int occurrence)
    {
        using var folder = new ScratchFolder("interrupt");
        var options = Options(folder["run"], workers);
        using var stop = new CancellationTokenSource();
        long completed = 0;
        int seen = 0;
        var output = new StringWriter();
        var trainer = new Trainer(options, output, interactive: false)
        {
            StepCompleted = (step, _) => completed = step,
            PhaseStarted = p =>
            {
                if (p == phase && ++seen == occurrence) stop.Cancel();
            },
        };
        Assert.That(trainer.Train(false, stop.Token), Is.EqualTo(TrainingOutcome.Interrupted), output.ToString());
        Assert.That(completed, Is.GreaterThan(0));
        var run = new RunFolder(options.RunDirectory);
        Assert.That(StepOf(run.LastCheckpoint), Is.EqualTo(completed), "the checkpoint holds the last completed step");
        Assert.That(output.ToString(), Does.Contain($"interrupted at step {completed}: saved {run.LastCheckpoint}"));

        var rest = new List<long>();
        var again = new Trainer(options, TextWriter.Null, interactive: false) { StepCompleted = (step, _) => rest.Add(step) };
        Assert.That(again.Train(true, CancellationToken.None), Is.EqualTo(TrainingOutcome.Completed));
        if (rest.Count > 0) Assert.That(rest[0], Is.EqualTo(completed + 1), "the resumed run continues at the next step");
        Assert.That(StepOf(run.LastCheckpoint), Is.EqualTo(rest.Count > 0 ? rest[^1] : completed));
        Assert.That(new MetricsLog(run.Metrics).Rows.Select(r => r.Epoch), Is.EqualTo(new[] { 0, 1 }), "each epoch logged once");
    }

    [Test]
    public void Precise_batch_norm_interrupted_midway_leaves_the_running_statistics_as_they_were()
    {
        using var folder = new ScratchFolder("interrupt-bn");
        var options = Options(folder["run"], workers: 2) with { Epochs = 1, EvalEvery = 0, PreciseBatchNormExamples = 0 };
        Assert.That(new Trainer(options, TextWriter.Null, false).Train(false, CancellationToken.None), Is.EqualTo(TrainingOutcome.Completed));
        var plain = Statistics(new RunFolder(options.RunDirectory).LastCheckpoint);

        // The same run, stopped while it recomputes the statistics at its end: the saved ones are training's own.
        using var stop = new CancellationTokenSource();
        var stopped = options with { RunDirectory = folder["stopped"], PreciseBatchNormExamples = 4 };
        var trainer = new Trainer(stopped, TextWriter.Null, false) { PhaseStarted = p => { if (p == TrainingPhase.PreciseBatchNorm) stop.Cancel(); } };
        Assert.That(trainer.Train(false, stop.Token), Is.EqualTo(TrainingOutcome.Interrupted));
        var kept = Statistics(new RunFolder(stopped.RunDirectory).LastCheckpoint);
        Assert.That(kept.Keys, Is.EquivalentTo(plain.Keys));
        foreach (var (key, values) in plain) Assert.That(kept[key], Is.EqualTo(values), key);
    }

    [Test]
    public void A_second_run_on_a_run_folder_in_use_is_refused_and_the_folder_is_free_afterwards()
    {
        using var folder = new ScratchFolder("run-lock");
        var options = Options(folder["run"], workers: 2) with { EvalEvery = 0, PreciseBatchNormExamples = 0, MaxSteps = 2 };
        InvalidInputException? refused = null;
        var first = new Trainer(options, TextWriter.Null, false)
        {
            StepCompleted = (step, _) =>
            {
                if (step != 1) return;
                // A second run on the same folder while the first is writing it, fresh or resuming.
                refused = Assert.Throws<InvalidInputException>(() => new Trainer(options with { Seed = 99 }, TextWriter.Null, false).Train(false, CancellationToken.None));
                Assert.Throws<InvalidInputException>(() => new Trainer(options, TextWriter.Null, false).Train(true, CancellationToken.None));
            },
        };
        Assert.That(first.Train(false, CancellationToken.None), Is.EqualTo(TrainingOutcome.StepLimit));
        Assert.That(refused!.Message, Does.Contain(options.RunDirectory).And.Contain("another 'train' is writing to this run folder"));
        Assert.That(StepOf(new RunFolder(options.RunDirectory).LastCheckpoint), Is.EqualTo(2), "the first run's files are its own");
        Assert.That(new Trainer(options with { MaxSteps = 3 }, TextWriter.Null, false).Train(true, CancellationToken.None), Is.EqualTo(TrainingOutcome.StepLimit));
    }

    private static long StepOf(string checkpoint) => (long)NpzFile.Read(checkpoint)["training/step"].ToFloat64()[0];

    private static Dictionary<string, float[]> Statistics(string checkpoint) =>
        NpzFile.Read(checkpoint).Where(a => a.Key.EndsWith("/avg_mean", StringComparison.Ordinal) || a.Key.EndsWith("/avg_var", StringComparison.Ordinal))
            .ToDictionary(a => a.Key, a => a.Value.ToFloat32());
}
