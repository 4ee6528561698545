namespace DeepImpression.Train.Tests.Labels;

/// <summary>
/// The real official label files, kept outside the repository at <c>&lt;repository&gt;/../shared/data/chalearn-labels/</c>;
/// tests that need them are ignored, with the reason, where they are absent.
/// </summary>
internal static class ChaLearnLabelFiles
{
    public static string Training => Require("annotation_training.pkl");
    public static string Validation => Require("annotation_validation.pkl");

    public static string RepositoryRoot
    {
        get
        {
            for (var folder = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); folder is not null; folder = folder.Parent)
                if (File.Exists(Path.Combine(folder.FullName, "DeepImpression.sln"))) return folder.FullName;
            throw new InvalidOperationException($"No DeepImpression.sln above {TestContext.CurrentContext.TestDirectory}.");
        }
    }

    private static string Require(string name)
    {
        var folder = Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared", "data", "chalearn-labels"));
        var path = Path.Combine(folder, name);
        if (!File.Exists(path)) Assert.Ignore($"The official label file {path} is absent (it is not part of the repository).");
        return path;
    }
}
