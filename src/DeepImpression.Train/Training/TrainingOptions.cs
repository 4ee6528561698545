using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace DeepImpression.Train.Training;

/// <summary>A training run's configuration; defaults are the original recipe (docs/DESIGN.md section 2).</summary>
public sealed record TrainingOptions
{
    /// <summary>A prepared clip cache (<c>deepimpression prepare</c>).</summary>
    public required string Data { get; init; }
    /// <summary>The run folder (checkpoints, metrics, config).</summary>
    public required string RunDirectory { get; init; }
    /// <summary>Passes over the training clips.</summary>
    public int Epochs { get; init; } = 10;
    /// <summary>Examples per optimizer step.</summary>
    public int BatchSize { get; init; } = 32;
    /// <summary>Adam's step size (the paper's 0.0002).</summary>
    public double LearningRate { get; init; } = 0.0002;
    /// <summary>Adam's first-moment decay (the paper's 0.5).</summary>
    public double Beta1 { get; init; } = 0.5;
    /// <summary>Adam's second-moment decay.</summary>
    public double Beta2 { get; init; } = 0.999;
    /// <summary>Adam's denominator guard.</summary>
    public double Epsilon { get; init; } = 1e-8;
    /// <summary>The device to train on: <c>cpu</c>, <c>cuda</c> or <c>cuda:N</c>.</summary>
    public string Device { get; init; } = "cpu";
    /// <summary>Seeds the weights, the loader's draws and the held-out split.</summary>
    public ulong Seed { get; init; } = 1;
    /// <summary>Evaluate on the validation clips every this many epochs (0: never).</summary>
    public int EvalEvery { get; init; } = 1;
    /// <summary>Stop after this many optimizer steps in all (0: no limit); the run can be resumed past it.</summary>
    public long MaxSteps { get; init; }
    /// <summary>Random crop size of training frames (the original: 224).</summary>
    public int CropSize { get; init; } = 224;
    /// <summary>Random audio window of training examples in samples (the original: 50,176).</summary>
    public int AudioWindow { get; init; } = 50_176;
    /// <summary>Frames per chunk of the test-time procedure during evaluation.</summary>
    public int EvalChunk { get; init; } = 32;
    /// <summary>Also save <c>last.npz</c> when this many minutes passed since the last save (0: only per epoch and on interrupt).</summary>
    public double CheckpointMinutes { get; init; } = 10;
    /// <summary>Fraction of training clips held out (grouped by YouTube ID) when the cache has no validation split.</summary>
    public double HeldOutFraction { get; init; } = 0.2;
    /// <summary>Loader worker threads (0: one per core).</summary>
    public int Workers { get; init; }
    /// <summary>On CUDA, only deterministic cuDNN algorithms in a fixed order, so that the run (and a resumed run)
    /// repeats bit for bit; the CPU always does. Kept in config.json, so --resume continues the same way.</summary>
    public bool Deterministic { get; init; }

    /// <summary>Before each validation and at the end, recompute the batch-norm statistics over this many training
    /// examples with the weights fixed (<see cref="PreciseBatchNorm"/>; 0: keep the running averages of training).</summary>
    public int PreciseBatchNormExamples { get; init; }

    /// <summary>
    /// Throws <see cref="Core.InvalidInputException"/> naming the option when a value is outside its sane range (a
    /// step size of 1e39 is infinity in float32; an epoch count of -5 trains nothing), whether it came from the
    /// command line or from a run folder's <c>config.json</c>.
    /// </summary>
    public void Validate()
    {
        static void Require(bool ok, string option, object value, string range)
        {
            if (!ok) throw new Core.InvalidInputException(string.Create(CultureInfo.InvariantCulture, $"{option} {value}: must be {range}."));
        }
        Require(Epochs is >= 1 and <= 1_000_000, "--epochs", Epochs, "from 1 to 1,000,000");
        Require(BatchSize is >= 2 and <= 4096, "--batch-size", BatchSize, "from 2 (batch normalization needs two examples) to 4,096");
        Require(LearningRate is > 0 and <= 1, "--lr", LearningRate, "above 0 and at most 1 (the original: 0.0002)");
        Require(Beta1 is >= 0 and < 1, "--beta1", Beta1, "in [0, 1)");
        Require(Beta2 is >= 0 and < 1, "beta2", Beta2, "in [0, 1)");
        Require(Epsilon is > 0 and < 1, "epsilon", Epsilon, "in (0, 1)");
        Require(EvalEvery is >= 0 and <= 1_000_000, "--eval-every", EvalEvery, "0 (never) or a number of epochs");
        Require(MaxSteps >= 0, "--max-steps", MaxSteps, "0 (no limit) or more");
        Require(CropSize is >= 32 and <= 4096, "--crop", CropSize, "from 32 to 4,096 pixels (and fit the cache's frames)");
        Require(AudioWindow is >= 4096 and <= 960_000, "--audio-window", AudioWindow, "from 4,096 to 960,000 samples (a minute at 16 kHz)");
        Require(EvalChunk is >= 1 and <= 1024, "eval chunk", EvalChunk, "from 1 to 1,024 frames");
        Require(CheckpointMinutes is >= 0 and <= 1e6, "checkpoint minutes", CheckpointMinutes, "0 or a number of minutes");
        Require(HeldOutFraction is > 0 and < 1, "held-out fraction", HeldOutFraction, "in (0, 1)");
        Require(Workers is >= 0 and <= 1024, "--threads", Workers, "0 (all cores) to 1,024");
        Require(PreciseBatchNormExamples is >= 0 and <= 100_000, "--precise-bn", PreciseBatchNormExamples, "0 (off) to 100,000 examples");
    }

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.Never };

    /// <summary>The options as JSON, as written to <c>config.json</c> and into every checkpoint.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Reads a run's <c>config.json</c>; empty, malformed or too deeply nested JSON is one clear error.</summary>
    public static TrainingOptions FromJson(string json, string source) => global::DeepImpression.Train.Data.JsonInput.Deserialize<TrainingOptions>(json, source, BoundedJson);

    private static readonly JsonSerializerOptions BoundedJson = global::DeepImpression.Train.Data.JsonInput.Bounded(Json);
}
