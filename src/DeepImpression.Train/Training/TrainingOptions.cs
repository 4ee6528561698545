using System.Text.Json;
using System.Text.Json.Serialization;

namespace DeepImpression.Train.Training;

/// <summary>A training run's configuration; defaults are the original recipe (docs/DESIGN.md section 2).</summary>
public sealed record TrainingOptions
{
    /// <summary>A prepared clip cache (<c>deepimpression prepare</c>).</summary>
    public required string Data { get; init; }
    public required string RunDirectory { get; init; }
    public int Epochs { get; init; } = 10;
    public int BatchSize { get; init; } = 32;
    public double LearningRate { get; init; } = 0.0002;
    public double Beta1 { get; init; } = 0.5;
    public double Beta2 { get; init; } = 0.999;
    public double Epsilon { get; init; } = 1e-8;
    public string Device { get; init; } = "cpu";
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

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.Never };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Reads a run's <c>config.json</c>; empty, malformed or too deeply nested JSON is one clear error.</summary>
    public static TrainingOptions FromJson(string json, string source) => global::DeepImpression.Train.Data.JsonInput.Deserialize<TrainingOptions>(json, source, BoundedJson);

    private static readonly JsonSerializerOptions BoundedJson = global::DeepImpression.Train.Data.JsonInput.Bounded(Json);
}
