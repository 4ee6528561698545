using DeepImpression.Serving.Tests.Support;

namespace DeepImpression.Serving.Tests;

/// <summary>Removes the run's temporary files at the end (in the root namespace, so that it covers every test).</summary>
[SetUpFixture]
public sealed class RunCleanup
{
    /// <summary>Deletes <see cref="TestFolders.Root"/>.</summary>
    [OneTimeTearDown]
    public void DeleteTemporaryFiles()
    {
        try
        {
            if (Directory.Exists(TestFolders.Root)) Directory.Delete(TestFolders.Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
