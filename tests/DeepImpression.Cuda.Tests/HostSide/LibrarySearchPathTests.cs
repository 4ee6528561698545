using DeepImpression.Cuda.Interop;

namespace DeepImpression.Cuda.Tests.HostSide;

[TestFixture]
public class LibrarySearchPathTests
{
    private static Func<string, string?> Env(params (string Key, string Value)[] values) =>
        key => values.FirstOrDefault(v => v.Key == key).Value;

    private static IEnumerable<string> NoMatches(string pattern) => [];

    [Test]
    public void ExplicitVariableComesFirstThenLdLibraryPathThenCudaRootThenUsualPlaces()
    {
        var folders = LibrarySearchPath.Directories(
            Env(("DEEPIMPRESSION_CUDA_PATH", "/opt/a:/opt/b/"), ("LD_LIBRARY_PATH", "/ld1::/ld2"), ("CUDA_HOME", "/cuda-root")),
            NoMatches);

        Assert.That(folders.Take(6), Is.EqualTo(new[] { "/opt/a", "/opt/a/lib64", "/opt/a/lib", "/opt/b", "/opt/b/lib64", "/opt/b/lib" }));
        int ld1 = IndexOf(folders, "/ld1"), ld2 = IndexOf(folders, "/ld2");
        int root = IndexOf(folders, "/cuda-root/lib64"), usual = IndexOf(folders, "/usr/local/cuda/lib64");
        int system = IndexOf(folders, "/usr/lib/x86_64-linux-gnu");
        Assert.That(new[] { 5, ld1, ld2, root, usual, system }, Is.Ordered.Ascending);
        Assert.That(folders, Is.Unique);
    }

    [Test]
    public void PatternsExpandThroughTheFileSystemFunctionAndTheirMatchesAreKeptInItsOrder()
    {
        var asked = new List<string>();
        var folders = LibrarySearchPath.Directories(Env(("HOME", "/home/u"), ("VIRTUAL_ENV", "/venv")), pattern =>
        {
            asked.Add(pattern);
            return pattern.StartsWith("/venv/", StringComparison.Ordinal)
                ? ["/venv/lib/python3.12/site-packages/nvidia/cudnn/lib", "/venv/lib/python3.12/site-packages/nvidia/cublas/lib"]
                : [];
        });

        Assert.That(asked, Does.Contain("/venv/lib/python3*/site-packages/nvidia/*/lib"));
        Assert.That(asked, Does.Contain("/home/u/.local/lib/python3*/site-packages/nvidia/*/lib"));
        Assert.That(asked, Does.Contain("/usr/local/cuda-*/lib64"));
        int cudnn = IndexOf(folders, "/venv/lib/python3.12/site-packages/nvidia/cudnn/lib");
        int cublas = IndexOf(folders, "/venv/lib/python3.12/site-packages/nvidia/cublas/lib");
        Assert.That(cudnn, Is.GreaterThanOrEqualTo(0).And.LessThan(cublas));
        Assert.That(folders.Any(f => f.Contains('*')), Is.False, "unexpanded patterns must not be listed as folders");
    }

    [Test]
    public void DuplicatesAndTrailingSlashesCollapse()
    {
        var folders = LibrarySearchPath.Directories(
            Env(("LD_LIBRARY_PATH", "/usr/local/cuda/lib64/:/usr/local/cuda/lib64"), ("DEEPIMPRESSION_CUDA_PATH", "/usr/local/cuda")), NoMatches);
        Assert.That(folders.Count(f => f == "/usr/local/cuda/lib64"), Is.EqualTo(1));
        Assert.That(folders, Is.Unique);
    }

    [Test]
    public void TheMissingMessageNamesTheLibraryEveryFolderAndWhatToDoOnOneLine()
    {
        var env = Env(("LD_LIBRARY_PATH", "/x/lib"));
        var folders = LibrarySearchPath.Directories(env, NoMatches);
        var message = LibrarySearchPath.MissingMessage(CudaLibrary.CuDnn, folders, env, ["/x/lib/libcudnn.so.9: libcudnn_graph.so.9: cannot open"]);

        Assert.That(message, Does.StartWith("libcudnn.so.9 or libcudnn.so.8 (cuDNN) was not found."));
        foreach (var folder in folders) Assert.That(message, Does.Contain(folder));
        Assert.That(message, Does.Contain("DEEPIMPRESSION_CUDA_PATH (unset)"));
        Assert.That(message, Does.Contain("LD_LIBRARY_PATH (/x/lib)"));
        Assert.That(message, Does.Contain("Found but failed to load: /x/lib/libcudnn.so.9: libcudnn_graph.so.9: cannot open"));
        Assert.That(message, Does.Contain("set DEEPIMPRESSION_CUDA_PATH"));
        Assert.That(message, Does.Not.Contain("\n"));
    }

    [Test]
    public void OnDiskExpansionFindsVersionedFoldersNewestFirst()
    {
        var root = Path.Combine(Path.GetTempPath(), "di-cuda-search-" + Guid.NewGuid().ToString("N"));
        try
        {
            foreach (var v in new[] { "cuda-12.9", "cuda-12.10", "cuda-11.8" }) Directory.CreateDirectory(Path.Combine(root, v, "lib64"));
            Directory.CreateDirectory(Path.Combine(root, "cuda-13.0")); // no lib64: not a match
            var found = LibrarySearchPath.ExpandOnDisk(root + "/cuda-*/lib64").ToArray();
            Assert.That(found, Is.EqualTo(new[] { "cuda-12.10", "cuda-12.9", "cuda-11.8" }.Select(v => Path.Combine(root, v, "lib64"))));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Test]
    public void LibrariesAreTriedNewestVersionFirstAndCuBlasBringsItsMatchingLt()
    {
        Assert.That(CudaLibrary.Driver.FileNames, Is.EqualTo(new[] { "libcuda.so.1" }));
        Assert.That(CudaLibrary.CuDnn.FileNames, Is.EqualTo(new[] { "libcudnn.so.9", "libcudnn.so.8" }));
        Assert.That(CudaLibrary.CuBlas.FileNames.Take(3), Is.EqualTo(new[] { "libcublas.so.13", "libcublas.so.12", "libcublas.so.11" }));
        Assert.That(CudaLibrary.Nvrtc.FileNames.Take(2), Is.EqualTo(new[] { "libnvrtc.so.13", "libnvrtc.so.12" }));
        Assert.That(CudaLibrary.CuBlas.CompanionsOf("libcublas.so.12"), Is.EqualTo(new[] { "libcublasLt.so.12" }));
        Assert.That(CudaLibrary.Nvrtc.CompanionsOf("libnvrtc.so.12"), Is.EqualTo(new[] { "libnvrtc-builtins.so.12*" }));
        Assert.That(CudaLibrary.CuDnn.CompanionsOf("libcudnn.so.9"), Has.All.EndWith(".so.9"));
        Assert.That(CudaLibrary.CuDnn.CompanionsOf("libcudnn.so.9"), Does.Contain("libcudnn_cnn.so.9"));
        Assert.That(CudaLibrary.CuDnn.CompanionsOf("libcudnn.so.9")[0], Is.EqualTo("libcudnn_graph.so.9"), "the graph library first: the others link it");
        Assert.That(CudaLibrary.CuDnn.CompanionsOf("libcudnn.so.8"), Has.All.EndWith(".so.8"));
        Assert.That(CudaLibrary.CuDnn.CompanionsOf("libcudnn.so.8"), Does.Contain("libcudnn_cnn_infer.so.8"));
    }

    private static int IndexOf(IReadOnlyList<string> list, string item)
    {
        for (int i = 0; i < list.Count; i++)
            if (list[i] == item) return i;
        Assert.Fail($"{item} is not in the search list: {string.Join(", ", list)}");
        return -1;
    }
}
