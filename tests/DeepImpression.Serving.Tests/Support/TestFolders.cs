namespace DeepImpression.Serving.Tests.Support;

/// <summary>Folders of this test run under the system temp folder, named after the run so that parallel runs never meet.</summary>
internal static class TestFolders
{
    /// <summary>The run's root folder (removed by <see cref="RunCleanup"/>).</summary>
    public static string Root { get; } = Path.Combine(Path.GetTempPath(), "deepimpression-tests", $"serving-{Environment.ProcessId}");

    /// <summary>A fresh folder for one purpose.</summary>
    public static string Fresh(string purpose)
    {
        string path = Path.Combine(Root, $"{purpose}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>Where tests leave what a person should look at (screenshots, the browser's recording).</summary>
    public static string Artifacts
    {
        get
        {
            string path = Path.Combine(TestContext.CurrentContext.WorkDirectory, "artifacts");
            Directory.CreateDirectory(path);
            return path;
        }
    }
}
