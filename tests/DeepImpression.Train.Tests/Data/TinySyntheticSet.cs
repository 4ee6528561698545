using DeepImpression.Train.Data.Decoding;
using DeepImpression.Train.Synthetic;

namespace DeepImpression.Train.Tests.Data;

/// <summary>
/// One small synthetic set (10 clips of 3.5 s at 64 x 36) made once per test run and shared by the tests that only
/// read it; about a second of encoding.
/// </summary>
internal static class TinySyntheticSet
{
    public static readonly FrameSize Size = new(64, 36);
    public const double Seconds = 3.5;
    public const ulong Seed = 7;

    private static readonly Lazy<SyntheticDataSetReport> Shared = new(() =>
    {
        string root = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "deepimpression-tests", $"tiny-synthetic-{Environment.ProcessId}");
        if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
        return SyntheticDataSet.Generate(Options(root));
    });

    public static SyntheticDataSetOptions Options(string root, int clips = 10) => new()
    {
        OutputDirectory = root,
        Clips = clips,
        Seed = Seed,
        Seconds = Seconds,
        FrameSize = Size,
        Jobs = 2,
    };

    public static SyntheticDataSetReport Report => Shared.Value;

    /// <summary>Removes the shared set at the end of the run, if a test made it.</summary>
    public static void DeleteIfMade()
    {
        if (Shared.IsValueCreated && Directory.Exists(Shared.Value.Directory)) Directory.Delete(Shared.Value.Directory, recursive: true);
    }

    public static string Root => Report.Directory;

    /// <summary>Copies the split's videos and label file into <paramref name="destination"/> (for tests that add bad files).</summary>
    public static string CopySplit(string split, string destination)
    {
        string videos = System.IO.Path.Combine(destination, split);
        Directory.CreateDirectory(videos);
        foreach (var f in Directory.GetFiles(System.IO.Path.Combine(Root, split))) File.Copy(f, System.IO.Path.Combine(videos, System.IO.Path.GetFileName(f)));
        string labels = System.IO.Path.Combine(destination, SyntheticDataSet.LabelFiles[split]);
        File.Copy(System.IO.Path.Combine(Root, SyntheticDataSet.LabelFiles[split]), labels);
        return videos;
    }
}
