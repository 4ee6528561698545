using System.Diagnostics;
using System.Globalization;
using DeepImpression.Core;
using DeepImpression.Core.Model;
using DeepImpression.Core.Optim;
using DeepImpression.Core.Serialization;
using DeepImpression.Core.Tensors;
using DeepImpression.Train.Data;
using DeepImpression.Train.Data.Cache;
using DeepImpression.Train.Data.Labels;
using DeepImpression.Train.Data.Loading;
using DeepImpression.Train.Evaluation;

namespace DeepImpression.Train.Training;

/// <summary>
/// The training loop of a run folder: epochs of shuffled, augmented batches; validation with the test-time procedure;
/// <c>metrics.csv</c>; <c>last.npz</c> every epoch, every few minutes and on interrupt; <c>best.npz</c> by validation
/// accuracy. Everything a resume needs (weights, optimizer moments, position in the epoch, partial epoch loss) is in
/// the checkpoint, and the loader's draws depend only on (seed, epoch, position), so a resumed run repeats exactly
/// the steps an uninterrupted one would have made.
/// </summary>
public sealed class Trainer
{
    private readonly TrainingOptions _options;
    private readonly RunFolder _run;
    private readonly TextWriter _output;
    private readonly bool _interactive;

    /// <summary>A trainer of <paramref name="options"/> that writes its progress lines to <paramref name="output"/>; <paramref name="interactive"/> redraws one progress line in place instead of printing one every few batches.</summary>
    public Trainer(TrainingOptions options, TextWriter output, bool interactive)
    {
        _options = options;
        _run = new RunFolder(options.RunDirectory);
        _output = output;
        _interactive = interactive;
    }

    /// <summary>Called after every optimizer step with the global step number and the batch loss.</summary>
    public Action<long, float>? StepCompleted { get; init; }

    /// <summary>Called as each phase of the run begins (tests interrupt the run at a chosen phase through it).</summary>
    public Action<TrainingPhase>? PhaseStarted { get; init; }

    /// <summary>
    /// Called after each validation, once its row is in <c>metrics.csv</c>: the accuracy, the mean-predictor baseline
    /// and whether it is the best so far. Runs on the training thread; an exception from it ends the run.
    /// </summary>
    public Action<TrainingValidation>? ValidationCompleted { get; init; }

    /// <summary>
    /// Called after each checkpoint is written (<c>last.npz</c> periodically, at each epoch end, at the step limit or on
    /// interrupt; <c>best.npz</c> on a new best validation), with its path, position and reason. Runs on the training
    /// thread, with the file complete on disk.
    /// </summary>
    public Action<TrainingCheckpoint>? CheckpointSaved { get; init; }

    /// <summary>The run folder and its files.</summary>
    public RunFolder Run => _run;

    /// <summary>The last validation accuracy measured, if any.</summary>
    public TraitAccuracy? LastValidation { get; private set; }

    /// <summary>The best validation accuracy of this run so far (the one <c>best.npz</c> holds), and its step.</summary>
    public TraitAccuracy? BestValidation { get; private set; }
    /// <summary>The step of <see cref="BestValidation"/>.</summary>
    public long BestStep { get; private set; }

    /// <summary>The accuracy on the validation clips of always predicting the training labels' mean: the floor a trained network must beat.</summary>
    public TraitAccuracy? BaselineValidation { get; private set; }

    /// <summary>
    /// Trains until the last epoch, the step limit, a loss or weights that are no longer finite, or
    /// <paramref name="stop"/>. A stop at any moment (waiting for a batch, in a step, in precise batch norm, validating,
    /// writing a checkpoint) ends with <c>last.npz</c> holding the last completed step; a step in progress completes
    /// first. Weights that are not finite are never written: the run stops and the last good checkpoint stays.
    /// </summary>
    public TrainingOutcome Train(bool resume, CancellationToken stop)
    {
        var o = _options;
        o.Validate();
        Directory.CreateDirectory(_run.Path);
        using var runLock = FolderLock.Acquire(_run.Path, RunFolder.LockName, "another 'train' is writing to this run folder; wait for it or choose another --out");
        foreach (var stale in AtomicFile.RemoveStaleTemporaries(_run.Path)) _output.WriteLine($"removed {stale}, left by a run killed while it wrote a file");
        if (!resume && File.Exists(_run.LastCheckpoint))
            throw new InvalidInputException($"{_run.Path}: this run folder already has a checkpoint; continue it with --resume {_run.Path} or choose another --out.");
        AtomicFile.WriteText(_run.Config, w => w.Write(o.ToJson()));

        var device = Devices.DeviceResolver.Resolve(o.Device, o.Deterministic);
        using var cache = ClipCache.Open(o.Data);
        var (trainClips, validationClips, splitDescription) = Splits(cache, o);
        _output.WriteLine($"data: {o.Data}: {trainClips.Count} training clips, {validationClips.Count} validation clips ({splitDescription})");

        var baseline = TraitAccuracy.MeanPredictor(trainClips.Select(i => cache.Clips[i].Targets!.Value));
        var labelled = validationClips.Where(i => cache.Clips[i].Targets is not null).ToList();
        if (labelled.Count > 0)
        {
            BaselineValidation = TraitAccuracy.Compute(labelled.Select(i => (baseline, cache.Clips[i].Targets!.Value)).ToList());
            _output.WriteLine($"mean-predictor baseline on the validation clips: {BaselineValidation}");
        }

        var net = new DeepImpressionNet(device, o.Seed);
        var adam = new Adam(net.NamedParameters(), o.LearningRate, o.Beta1, o.Beta2, o.Epsilon);
        var state = new RunState();
        if (resume)
        {
            if (!File.Exists(_run.LastCheckpoint))
                throw new InvalidInputException($"{_run.LastCheckpoint}: no checkpoint to resume from.");
            var saved = Checkpoint.Load(_run.LastCheckpoint, net, adam);
            state = RunState.FromScalars(saved.Scalars, _run.LastCheckpoint);
            _output.WriteLine($"resumed from {_run.LastCheckpoint}: epoch {state.Epoch}, batch {state.Batch}, step {state.Step}");
        }
        var metrics = new MetricsLog(_run.Metrics);
        metrics.TruncateAfter(state.Step);

        var loaderOptions = new TrainingLoaderOptions
        {
            BatchSize = o.BatchSize,
            Seed = o.Seed,
            CropSize = o.CropSize,
            AudioSamples = o.AudioWindow,
            Workers = o.Workers > 0 ? o.Workers : Math.Max(1, Environment.ProcessorCount),
        };
        var loader = new TrainingLoader(cache, trainClips, loaderOptions);
        if (loader.BatchesPerEpoch == 0)
            throw new InvalidInputException($"{o.Data}: {trainClips.Count} training clips are fewer than one batch of {o.BatchSize}; use a smaller --batch-size.");
        if (state.Batch > loader.BatchesPerEpoch)
            throw new InvalidInputException($"{_run.LastCheckpoint}: training/batch = {state.Batch}, but an epoch of {o.Data} has {loader.BatchesPerEpoch} batches; was the cache changed?");
        // Its own seed, so that its draws never repeat the training draws; built on this thread, a few batches at a time.
        var preciseLoader = o.PreciseBatchNormExamples > 0
            ? new TrainingLoader(cache, trainClips, loaderOptions with { Seed = o.Seed ^ PreciseBatchNormSeed, Workers = 0 })
            : null;

        var step = new TrainingStep(net, adam);
        long totalSteps = (long)o.Epochs * loader.BatchesPerEpoch;
        if (o.MaxSteps > 0) totalSteps = Math.Min(totalSteps, o.MaxSteps);
        var progress = new ProgressReporter(_output, _interactive, totalSteps, o.BatchSize) { PlainEvery = Math.Max(10, loader.BatchesPerEpoch / 4) };
        var clock = Stopwatch.StartNew();
        var lastSave = Stopwatch.StartNew();
        double wallAtStart = state.WallSeconds;
        (int Epoch, int Batch, long Step)? savedAt = resume ? (state.Epoch, state.Batch, state.Step) : null;

        void Phase(TrainingPhase phase) => PhaseStarted?.Invoke(phase);

        void Save(CheckpointReason reason)
        {
            Phase(TrainingPhase.Checkpoint);
            // Cheap next to writing 67 MB: one pass over the values, so that broken weights are never kept as good.
            var broken = FiniteWeights.Broken(net.NamedState().Concat(adam.NamedState()));
            if (broken.Count > 0) throw new NonFiniteWeightsException(broken);
            state.WallSeconds = wallAtStart + clock.Elapsed.TotalSeconds;
            Checkpoint.Save(_run.LastCheckpoint, net, adam, state.ToScalars(), new Dictionary<string, string> { ["config"] = o.ToJson() });
            savedAt = (state.Epoch, state.Batch, state.Step);
            lastSave.Restart();
            CheckpointSaved?.Invoke(new TrainingCheckpoint(_run.LastCheckpoint, reason, state.Step, state.Epoch, state.Batch));
        }

        TrainingOutcome Interrupted()
        {
            // The checkpoint of this very step may be written already (an interrupt during or right after a save).
            if (savedAt != (state.Epoch, state.Batch, state.Step)) Save(CheckpointReason.Interrupted);
            progress.Line($"interrupted at step {state.Step}: saved {_run.LastCheckpoint}; continue with --resume {_run.Path}");
            return TrainingOutcome.Interrupted;
        }

        void RecomputeBatchNorm()
        {
            Phase(TrainingPhase.PreciseBatchNorm);
            int examples = PreciseBatchNorm.Recompute(net, PreciseBatchNorm.Batches(preciseLoader!, state.Epoch, o.PreciseBatchNormExamples), stop);
            progress.Line($"batch-norm statistics recomputed over {examples} training examples");
        }

        if (o.MaxSteps > 0 && state.Step >= o.MaxSteps)
        {
            _output.WriteLine($"already at step {state.Step}, at or past the step limit {o.MaxSteps}: nothing to do");
            return TrainingOutcome.StepLimit;
        }

        // The epochs, until the end, the step limit, a divergence or a stop.
        TrainingOutcome Epochs()
        {
            while (state.Epoch < o.Epochs)
            {
                if (stop.IsCancellationRequested) return Interrupted();
                int epochStartBatch = state.Batch;
                var epochClock = Stopwatch.StartNew();
                int epochSteps = 0;
                using (var batches = loader.Epoch(state.Epoch, state.Batch, stop).GetEnumerator())
                {
                    while (true)
                    {
                        Phase(TrainingPhase.Loading);
                        if (!batches.MoveNext()) break;
                        using (var batch = batches.Current)
                        {
                            Phase(TrainingPhase.Step);
                            float loss = step.Run(batch.Count, batch.Audio, batch.Frames, batch.CropSize, batch.CropSize, batch.Targets);
                            if (!float.IsFinite(loss))
                            {
                                progress.Line($"error: the loss became {loss.ToString(CultureInfo.InvariantCulture)} at step {state.Step + 1} (epoch {state.Epoch}, batch {state.Batch}); " +
                                              $"stopping. The last good checkpoint is kept: {LastGood()}.");
                                return TrainingOutcome.Diverged;
                            }
                            state.Step++;
                            state.Batch++;
                            epochSteps++;
                            state.EpochLossSum += loss;
                            state.EpochLossCount++;
                            StepCompleted?.Invoke(state.Step, loss);
                            progress.Step(state.Epoch, state.Step, loss);
                        }
                        if (stop.IsCancellationRequested) return Interrupted();
                        if (o.MaxSteps > 0 && state.Step >= o.MaxSteps)
                        {
                            Save(CheckpointReason.StepLimit);
                            progress.Line($"step limit {o.MaxSteps} reached: saved {_run.LastCheckpoint}");
                            return TrainingOutcome.StepLimit;
                        }
                        if (o.CheckpointMinutes > 0 && lastSave.Elapsed.TotalMinutes >= o.CheckpointMinutes) Save(CheckpointReason.Periodic);
                    }
                }
                if (stop.IsCancellationRequested) return Interrupted();

                double examplesPerSecond = epochSteps * o.BatchSize / Math.Max(epochClock.Elapsed.TotalSeconds, 1e-9);
                TraitAccuracy? accuracy = null;
                bool validate = o.EvalEvery > 0 && (state.Epoch + 1) % o.EvalEvery == 0 && labelled.Count > 0;
                // The final checkpoint gets precise statistics too, validated or not: it is what predict will use.
                if (preciseLoader is not null && (validate || state.Epoch + 1 == o.Epochs)) RecomputeBatchNorm();
                if (validate)
                {
                    Phase(TrainingPhase.Validation);
                    accuracy = Evaluator.Score(Evaluator.Predict(net, cache, labelled, o.EvalChunk,
                        progress: (_, _) => Phase(TrainingPhase.Validation), cancellation: stop));
                    LastValidation = accuracy;
                }
                if (stop.IsCancellationRequested) return Interrupted();
                var row = new MetricsRow
                {
                    Epoch = state.Epoch,
                    Step = state.Step,
                    TrainLoss = state.EpochLossSum / Math.Max(1, state.EpochLossCount),
                    ValidationExtraversion = accuracy?.PerTrait[0],
                    ValidationAgreeableness = accuracy?.PerTrait[1],
                    ValidationConscientiousness = accuracy?.PerTrait[2],
                    ValidationNeuroticism = accuracy?.PerTrait[3],
                    ValidationOpenness = accuracy?.PerTrait[4],
                    ValidationMean = accuracy?.Mean,
                    ExamplesPerSecond = examplesPerSecond,
                    WallSeconds = wallAtStart + clock.Elapsed.TotalSeconds,
                };
                metrics.Append(row);
                progress.Line($"epoch {state.Epoch}: train loss {row.TrainLoss:F4}, {examplesPerSecond:F1} examples/s" +
                              (accuracy is null ? "" : $", validation accuracy {accuracy}") + (epochStartBatch > 0 ? " (resumed mid-epoch)" : ""));

                int validatedEpoch = state.Epoch;
                state.Epoch++;
                state.Batch = 0;
                state.EpochLossSum = 0;
                state.EpochLossCount = 0;
                bool best = accuracy is not null && accuracy.Mean > state.BestAccuracy;
                if (best)
                {
                    state.BestAccuracy = accuracy!.Mean;
                    BestValidation = accuracy;
                    BestStep = state.Step;
                }
                if (accuracy is not null) ValidationCompleted?.Invoke(new TrainingValidation(validatedEpoch, state.Step, accuracy, BaselineValidation!, best));
                Save(CheckpointReason.EpochEnd);
                if (best)
                {
                    AtomicFile.Write(_run.BestCheckpoint, s => { using var f = File.OpenRead(_run.LastCheckpoint); f.CopyTo(s); });
                    progress.Line($"new best validation accuracy {accuracy!.Mean:F4}: saved {_run.BestCheckpoint}");
                    CheckpointSaved?.Invoke(new TrainingCheckpoint(_run.BestCheckpoint, CheckpointReason.Best, state.Step, state.Epoch, state.Batch));
                }
                TrySavePlot(metrics);
            }
            _output.WriteLine($"done: {state.Step} steps in {clock.Elapsed.TotalSeconds:F0} s; run folder {_run.Path}");
            return TrainingOutcome.Completed;
        }

        try
        {
            try
            {
                return Epochs();
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                // The loader's wait, precise batch norm or validation gave up: the state is still that of the last completed step.
                return Interrupted();
            }
        }
        catch (NonFiniteWeightsException e)
        {
            progress.Line($"error: the weights are no longer finite at step {state.Step} (epoch {state.Epoch}): {FiniteWeights.Describe(e.Arrays)} " +
                          $"hold NaN or infinity; stopping without saving them. The last good checkpoint is kept: {LastGood()}.");
            return TrainingOutcome.Diverged;
        }
    }

    /// <summary>Mixed into the seed of the precise batch-norm loader (the golden ratio's bits).</summary>
    private const ulong PreciseBatchNormSeed = 0x9E3779B97F4A7C15;

    private string LastGood() => File.Exists(_run.LastCheckpoint) ? _run.LastCheckpoint : "none was saved yet";

    private void TrySavePlot(MetricsLog metrics)
    {
        try
        {
            MetricsPlot.Save(metrics.Rows, _run.Curves, BaselineValidation?.Mean);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The plot is a convenience: a missing native library must not stop training.
            _output.WriteLine($"warning: could not draw {_run.Curves}: {e.Message}");
        }
    }

    /// <summary>Weights or optimizer state that hold NaN or infinity, found before a checkpoint.</summary>
    private sealed class NonFiniteWeightsException(IReadOnlyList<string> arrays) : Exception("non-finite weights")
    {
        public IReadOnlyList<string> Arrays { get; } = arrays;
    }

    /// <summary>The official splits when the cache has them; else a held-out part of the training clips, grouped by YouTube ID.</summary>
    internal static (IReadOnlyList<int> Train, IReadOnlyList<int> Validation, string Description) Splits(ClipCache cache, TrainingOptions o)
    {
        var names = cache.SplitNames;
        var trainName = names.Contains("train") ? "train" : names.Contains("training") ? "training" : null;
        if (trainName is null)
            throw new InvalidInputException($"{cache.Directory}: the cache has no training split (it has: {string.Join(", ", names)}).");
        var train = cache.Split(trainName).Where(i => cache.Clips[i].Targets is not null).ToList();
        if (train.Count == 0) throw new InvalidInputException($"{cache.Directory}: no labelled training clips.");
        var validationName = names.Contains("validation") ? "validation" : names.Contains("val") ? "val" : null;
        if (validationName is not null)
            return (train, cache.Split(validationName), $"official splits '{trainName}' and '{validationName}'");
        var (t, v) = HeldOutSplit.ByYouTubeId(cache, train, o.HeldOutFraction, o.Seed);
        return (t, v, $"{o.HeldOutFraction:P0} of '{trainName}' held out, grouped by YouTube ID");
    }

    /// <summary>Where a run stands; saved in the checkpoint as scalars under <c>training/</c>.</summary>
    private sealed class RunState
    {
        public int Epoch;
        public int Batch;
        public long Step;
        public double EpochLossSum;
        public long EpochLossCount;
        public double BestAccuracy = double.NegativeInfinity;
        public double WallSeconds;

        public Dictionary<string, double> ToScalars() => new()
        {
            ["epoch"] = Epoch, ["batch"] = Batch, ["step"] = Step, ["epoch_loss_sum"] = EpochLossSum,
            ["epoch_loss_count"] = EpochLossCount, ["best_accuracy"] = BestAccuracy, ["wall_seconds"] = WallSeconds,
        };

        public static RunState FromScalars(IReadOnlyDictionary<string, double> s, string path)
        {
            var read = new CheckpointScalars(s, path);
            var state = new RunState
            {
                Epoch = read.WholeInt("epoch"), Batch = read.WholeInt("batch"), Step = read.Whole("step", 0, long.MaxValue),
                EpochLossSum = read.Number("epoch_loss_sum", 0, double.MaxValue), EpochLossCount = read.Whole("epoch_loss_count", 0, long.MaxValue),
                BestAccuracy = read.Number("best_accuracy", double.MinValue, 1, orNegativeInfinity: true), WallSeconds = read.Number("wall_seconds", 0, double.MaxValue),
            };
            if (state.EpochLossCount > state.Batch) throw read.Inconsistent("epoch_loss_count", $"more losses than the {state.Batch} batches done in the epoch.");
            if (state.Batch > state.Step) throw read.Inconsistent("batch", $"more batches than the {state.Step} steps of the whole run.");
            return state;
        }
    }
}
