using DeepImpression.Cuda.Interop;
using DeepImpression.Cuda.Runtime;

namespace DeepImpression.Cuda.Tests.HostSide;

/// <summary>The real loader on this machine: what happens when a library is absent, or present but broken.</summary>
[TestFixture]
public class LibraryLoadingTests
{
    private static bool DriverPresent => CudaLibraries.Load(CudaLibrary.Driver).IsLoaded;

    [Test]
    public void AFileThatIsNotALibraryIsReportedWithItsPathAndTheLoadersReason()
    {
        if (DriverPresent) Assert.Ignore("libcuda.so.1 loads on this machine, so the system fallback hides a broken copy.");
        var folder = Path.Combine(Path.GetTempPath(), "di-fake-cuda-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            var fake = Path.Combine(folder, "libcuda.so.1");
            File.WriteAllText(fake, "not an ELF file");
            var result = CudaLibraries.Search(CudaLibrary.Driver, k => k == LibrarySearchPath.PathVariable ? folder : null, ILibraryFileSystem.OnDisk);
            Assert.That(result.IsLoaded, Is.False);
            Assert.That(result.FailureMessage, Does.Contain($"DEEPIMPRESSION_CUDA_PATH ({folder})"));
            Assert.That(result.FailureMessage, Does.Contain($"Found but failed to load: {fake}: "));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Test]
    public void WithoutTheDriverTheBackendRefusesWithOneMessageSayingWhereItLooked()
    {
        if (DriverPresent) Assert.Ignore("libcuda.so.1 loads on this machine: the missing-driver path cannot be observed here.");
        var e = Assert.Throws<CudaLibraryNotFoundException>(() => new CudaBackend(0))!;
        Assert.That(e.Library, Is.EqualTo(CudaLibrary.Driver));
        Assert.That(e.Message, Does.StartWith("libcuda.so.1 (CUDA driver) was not found. Looked in "));
        Assert.That(e.Message, Does.Contain("/usr/local/cuda/lib64").And.Contain("the system library cache"));
    }

    [Test]
    public void TheEnvironmentReportListsEveryLibraryAndIsReadyOnlyWithoutProblems()
    {
        var report = CudaEnvironmentReport.Probe();
        Assert.That(report.Libraries.Select(l => l.Name), Is.EqualTo(new[] { "CUDA driver", "NVRTC", "cuBLAS", "cuDNN" }));
        Assert.That(report.Ready, Is.EqualTo(report.Problems.Count == 0));
        foreach (var missing in report.Libraries.Where(l => !l.Found))
            Assert.That(report.Problems, Has.Some.Contains($"({missing.Name}) was not found"));
        foreach (var found in report.Libraries.Where(l => l.Found && l.Problem is null))
            Assert.That(found.Version, Is.Not.Null.And.Not.Empty);
        if (!DriverPresent)
        {
            Assert.That(report.Ready, Is.False);
            Assert.That(report.Devices, Is.Empty);
        }
    }
}
