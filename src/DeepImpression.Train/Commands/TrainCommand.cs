using System.CommandLine;
using System.Runtime.InteropServices;
using DeepImpression.Core;
using DeepImpression.Core.Backends.Cpu;
using DeepImpression.Train.Synthetic;
using DeepImpression.Train.Training;

namespace DeepImpression.Train.Commands;

/// <summary>
/// <c>deepimpression train</c>: trains the network on a prepared cache, or, with no <c>--data</c>, on the embedded
/// synthetic data set (generated and prepared once, then reused).
/// </summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var data = new Option<string?>("--data") { Description = "a clip cache made by 'deepimpression prepare' (default: the embedded synthetic data set)" };
        var epochs = new Option<int?>("--epochs") { Description = $"epochs to train (default 10; {SyntheticDefault.Epochs} on the synthetic data)" };
        var batch = new Option<int>("--batch-size") { Description = "examples per step", DefaultValueFactory = _ => 32 };
        var lr = new Option<double>("--lr") { Description = "Adam step size alpha", DefaultValueFactory = _ => 0.0002 };
        var beta1 = new Option<double>("--beta1") { Description = "Adam beta1", DefaultValueFactory = _ => 0.5 };
        var device = new Option<string>("--device") { Description = "cpu, cuda or cuda:N", DefaultValueFactory = _ => "cpu" };
        var seed = new Option<ulong>("--seed") { Description = "seed of the initial weights and of every random draw", DefaultValueFactory = _ => 1UL };
        var output = new Option<string?>("--out") { Description = "run folder for checkpoints and metrics (default runs/<date-time>)" };
        var resume = new Option<string?>("--resume") { Description = "continue the run in this folder exactly where it stopped" };
        var evalEvery = new Option<int?>("--eval-every") { Description = $"validate every N epochs (0: never; default 1, {SyntheticDefault.EvalEvery} on the synthetic data)" };
        var threads = new Option<int>("--threads") { Description = "CPU threads (0: all cores)", DefaultValueFactory = _ => 0 };
        var maxSteps = new Option<long>("--max-steps") { Description = "stop after this many steps in all (0: no limit)", DefaultValueFactory = _ => 0L };
        var crop = new Option<int?>("--crop") { Description = "training crop size in pixels (default 224; 112 on the synthetic data)" };
        var audioWindow = new Option<int?>("--audio-window") { Description = "training audio window in samples (default 50,176; 16,384 on the synthetic data)" };
        var deterministic = DeviceSelection.DeterministicOption();
        var preciseBn = new Option<int?>("--precise-bn")
        {
            Description = "before each validation and at the end, recompute the batch-norm statistics over N training examples with the weights fixed " +
                          $"(0: off; default {SyntheticDefault.PreciseBatchNormExamples} on the synthetic data, 0 otherwise)",
        };

        var command = new Command("train", "Train the Deep Impression network (the original recipe: Adam alpha 0.0002, beta1 0.5, batch 32, " +
                                           "mean absolute error). Without --data it trains on the embedded synthetic data set.")
        {
            data, epochs, batch, lr, beta1, device, seed, output, resume, evalEvery, threads, maxSteps, crop, audioWindow, preciseBn, deterministic,
        };
        command.SetAction(parse =>
        {
            int threadCount = parse.GetValue(threads);
            if (threadCount is < 0 or > 1024) throw new InvalidInputException($"--threads {threadCount}: must be 0 (all cores) to 1,024.");
            using var stop = new CancellationTokenSource();
            // SIGINT (Ctrl-C) and SIGTERM ask the run to stop after its current step and save it; a second one quits at once.
            int signals = 0;
            void OnSignal(PosixSignalContext context)
            {
                if (Interlocked.Increment(ref signals) > 1) return; // the default action: the process ends
                context.Cancel = true;
                Console.Error.WriteLine($"{context.Signal}: stopping after the current step and saving it (again to quit at once, without saving)");
                stop.Cancel();
            }
            using var onInt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
            using var onTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);

            string? resumeDir = parse.GetValue(resume);
            TrainingOptions options;
            if (resumeDir is not null)
            {
                var config = new RunFolder(resumeDir).Config;
                if (!File.Exists(config)) throw new InvalidInputException($"{resumeDir}: not a run folder (no config.json).");
                options = TrainingOptions.FromJson(File.ReadAllText(config), config) with { RunDirectory = resumeDir };
                // Only the length of the run may change on resume; everything that shapes the steps stays as it was.
                if (parse.GetValue(epochs) is { } e) options = options with { Epochs = e };
                options = options with { MaxSteps = parse.GetValue(maxSteps), Workers = threadCount };
                options.Validate();
            }
            else
            {
                string? cache = parse.GetValue(data);
                bool synthetic = cache is null;
                options = new TrainingOptions
                {
                    Data = cache ?? "(the embedded synthetic data set)",
                    RunDirectory = parse.GetValue(output) ?? RunFolder.NewName(),
                    Epochs = parse.GetValue(epochs) ?? (synthetic ? SyntheticDefault.Epochs : 10),
                    BatchSize = parse.GetValue(batch),
                    LearningRate = parse.GetValue(lr),
                    Beta1 = parse.GetValue(beta1),
                    Device = parse.GetValue(device)!,
                    Seed = parse.GetValue(seed),
                    EvalEvery = parse.GetValue(evalEvery) ?? (synthetic ? SyntheticDefault.EvalEvery : 1),
                    MaxSteps = parse.GetValue(maxSteps),
                    CropSize = parse.GetValue(crop) ?? (synthetic ? SyntheticDefault.CropSize : 224),
                    AudioWindow = parse.GetValue(audioWindow) ?? (synthetic ? SyntheticDefault.AudioWindow : 50_176),
                    Deterministic = parse.GetValue(deterministic),
                    PreciseBatchNormExamples = parse.GetValue(preciseBn) ?? (synthetic ? SyntheticDefault.PreciseBatchNormExamples : 0),
                    Workers = threadCount,
                };
                // Before the minutes the synthetic set may take to make: a bad option should not wait for them.
                options.Validate();
                if (synthetic) options = options with { Data = SyntheticDefault.EnsurePrepared(Console.Out, cancellation: stop.Token) };
            }
            if (threadCount > 0) CpuThreads.Set(threadCount);

            var trainer = new Trainer(options, Console.Out, ConsoleOutput.IsInteractive);
            var outcome = trainer.Train(resumeDir is not null, stop.Token);
            if (trainer.BaselineValidation is { } baseline)
            {
                string Versus(double accuracy) => $"{accuracy:F4} vs mean predictor {baseline.Mean:F4} ({(accuracy - baseline.Mean) * 100:+0.00;-0.00} points)";
                if (trainer.BestValidation is { } best)
                    Console.WriteLine($"best validation accuracy (best.npz, step {trainer.BestStep}): {Versus(best.Mean)}");
                if (trainer.LastValidation is { } last)
                    Console.WriteLine($"last validation accuracy (last.npz): {Versus(last.Mean)}");
            }
            return outcome switch
            {
                TrainingOutcome.Completed or TrainingOutcome.StepLimit => 0,
                TrainingOutcome.Interrupted => 130,
                _ => 3,
            };
        });
        return command;
    }
}
