using DeepImpression.Train.Data.Cache;
using DeepImpression.Train.Data.Decoding;
using DeepImpression.Train.Data.Labels;
using DeepImpression.Train.Synthetic;
using DeepImpression.Train.Tests.Data;
using DeepImpression.Train.Training;

namespace DeepImpression.Train.Tests.Training;

/// <summary>The tiny synthetic set prepared into a cache (train and validation, 4 frames per clip), made once per run.</summary>
internal static class TinyTrainingCache
{
    private static readonly Lazy<string> Shared = new(() =>
    {
        string cache = Path.Combine(Path.GetTempPath(), "deepimpression-tests", $"trainer-cache-{Environment.ProcessId}");
        if (System.IO.Directory.Exists(cache)) System.IO.Directory.Delete(cache, recursive: true);
        foreach (var split in new[] { SyntheticPlan.Train, SyntheticPlan.Validation })
        {
            ClipPreparer.Run(new PrepareRequest
            {
                VideosDirectory = Path.Combine(TinySyntheticSet.Root, split),
                CacheDirectory = cache,
                Labels = AnnotationFiles.Read(Path.Combine(TinySyntheticSet.Root, SyntheticDataSet.LabelFiles[split])),
                Split = split,
                FramesPerClip = 4,
                FrameSize = TinySyntheticSet.Size,
                Jobs = 2,
            });
        }
        return cache;
    });

    public static string Directory => Shared.Value;

    private static readonly Lazy<string> OneEpoch = new(() =>
    {
        string run = Path.Combine(Path.GetTempPath(), "deepimpression-tests", $"one-epoch-{Environment.ProcessId}");
        if (System.IO.Directory.Exists(run)) System.IO.Directory.Delete(run, recursive: true);
        new Trainer(Options(run, epochs: 1) with { EvalEvery = 0 }, TextWriter.Null, false).Train(false, CancellationToken.None);
        return new RunFolder(run).LastCheckpoint;
    });

    /// <summary>The checkpoint of one epoch on this cache (no validation), made once per run, for commands that need a model.</summary>
    public static string OneEpochCheckpoint => OneEpoch.Value;

    /// <summary>Options small enough for a test: batch 2, 32-pixel crops, 4,096-sample windows.</summary>
    public static TrainingOptions Options(string runDirectory, int epochs = 2) => new()
    {
        Data = Directory,
        RunDirectory = runDirectory,
        Epochs = epochs,
        BatchSize = 2,
        CropSize = 32,
        AudioWindow = 4096,
        EvalChunk = 3,
        Workers = 2,
        CheckpointMinutes = 0,
        Seed = 3,
    };
}
