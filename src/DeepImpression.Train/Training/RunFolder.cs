namespace DeepImpression.Train.Training;

/// <summary>The files of one training run, all in one folder.</summary>
public sealed record RunFolder(string Path)
{
    public string LastCheckpoint => System.IO.Path.Combine(Path, "last.npz");
    public string BestCheckpoint => System.IO.Path.Combine(Path, "best.npz");
    public string Metrics => System.IO.Path.Combine(Path, "metrics.csv");
    public string Curves => System.IO.Path.Combine(Path, "curves.png");
    public string Config => System.IO.Path.Combine(Path, "config.json");

    /// <summary>The lock file a run holds while it writes the folder (<see cref="Data.FolderLock"/>).</summary>
    public const string LockName = "train.lock";

    public static string NewName() => System.IO.Path.Combine("runs", DateTime.Now.ToString("yyyyMMdd-HHmmss"));
}
