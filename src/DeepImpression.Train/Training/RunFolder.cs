namespace DeepImpression.Train.Training;

/// <summary>The files of one training run, all in one folder.</summary>
public sealed record RunFolder(string Path)
{
    /// <summary>The checkpoint to resume from: weights, optimizer state and position.</summary>
    public string LastCheckpoint => System.IO.Path.Combine(Path, "last.npz");
    /// <summary>The checkpoint with the best validation accuracy so far.</summary>
    public string BestCheckpoint => System.IO.Path.Combine(Path, "best.npz");
    /// <summary>One row per epoch (<see cref="MetricsRow"/>).</summary>
    public string Metrics => System.IO.Path.Combine(Path, "metrics.csv");
    /// <summary>The loss and accuracy curves, redrawn each epoch.</summary>
    public string Curves => System.IO.Path.Combine(Path, "curves.png");
    /// <summary>The <see cref="TrainingOptions"/> of the run, as JSON.</summary>
    public string Config => System.IO.Path.Combine(Path, "config.json");

    /// <summary>The lock file a run holds while it writes the folder (<see cref="Data.FolderLock"/>).</summary>
    public const string LockName = "train.lock";

    /// <summary>A fresh run folder path under <c>runs/</c>, named by the local date and time.</summary>
    public static string NewName() => System.IO.Path.Combine("runs", DateTime.Now.ToString("yyyyMMdd-HHmmss"));
}
