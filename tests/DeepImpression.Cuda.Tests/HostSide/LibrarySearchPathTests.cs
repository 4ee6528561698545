using DeepImpression.Cuda.Interop;

namespace DeepImpression.Cuda.Tests.HostSide;

[TestFixture]
public class LibrarySearchPathTests
{
    private static Func<string, string?> Env(params (string Key, string Value)[] values) =>
        key => values.FirstOrDefault(v => v.Key == key).Value;

    /// <summary>A file system with nothing on it: patterns match nothing, files do not exist.</summary>
    private sealed class Empty : ILibraryFileSystem
    {
        public readonly List<string> Expanded = [];
        public IEnumerable<string> Expand(string pattern)
        {
            Expanded.Add(pattern);
            return [];
        }
        public bool FileExists(string path) => false;
        public IEnumerable<string> FilesMatching(string folder, string pattern) => [];
        public string? RealPath(string path) => null;
    }

    [Test]
    public void ExplicitVariableComesFirstThenLdLibraryPathThenCudaRootThenUsualPlaces()
    {
        var folders = LibrarySearchPath.Directories(
            Env(("DEEPIMPRESSION_CUDA_PATH", "/opt/a:/opt/b/"), ("LD_LIBRARY_PATH", "/ld1::/ld2"), ("CUDA_HOME", "/cuda-root")), new Empty());

        Assert.That(folders.Take(6), Is.EqualTo(new[] { "/opt/a", "/opt/a/lib64", "/opt/a/lib", "/opt/b", "/opt/b/lib64", "/opt/b/lib" }));
        int ld1 = IndexOf(folders, "/ld1"), ld2 = IndexOf(folders, "/ld2");
        int root = IndexOf(folders, "/cuda-root/lib64"), usual = IndexOf(folders, "/usr/local/cuda/lib64");
        int system = IndexOf(folders, "/usr/lib/x86_64-linux-gnu");
        Assert.That(new[] { 5, ld1, ld2, root, usual, system }, Is.Ordered.Ascending);
        Assert.That(folders, Is.Unique);
    }

    [Test]
    public void EveryPythonEnvironmentIsSearchedForPipInstalledNvidiaLibraries()
    {
        var files = new Empty();
        LibrarySearchPath.Directories(Env(("HOME", "/home/u"), ("VIRTUAL_ENV", "/venv"), ("CONDA_PREFIX", "/conda")), files);
        Assert.That(files.Expanded, Is.SupersetOf(new[]
        {
            "/venv/lib/python3*/site-packages/nvidia/*/lib", "/conda/lib/python3*/site-packages/nvidia/*/lib",
            "/home/u/.venv/lib/python3*/site-packages/nvidia/*/lib", "/home/u/.local/lib/python3*/site-packages/nvidia/*/lib",
            "/opt/*/.venv/lib/python3*/site-packages/nvidia/*/lib", "/opt/*/venv/lib/python3*/site-packages/nvidia/*/lib",
            "/usr/local/lib/python3*/dist-packages/nvidia/*/lib", "/usr/lib/python3/dist-packages/nvidia/*/lib",
            "/usr/local/cuda-*/lib64",
        }));
        Assert.That(files.Expanded.IndexOf("/venv/lib/python3*/site-packages/nvidia/*/lib"),
            Is.LessThan(files.Expanded.IndexOf("/usr/local/cuda-*/lib64")), "the active environment before the system's toolkits");
    }

    [Test]
    public void DuplicatesAndTrailingSlashesCollapse()
    {
        var folders = LibrarySearchPath.Directories(
            Env(("LD_LIBRARY_PATH", "/usr/local/cuda/lib64/:/usr/local/cuda/lib64"), ("DEEPIMPRESSION_CUDA_PATH", "/usr/local/cuda")), new Empty());
        Assert.That(folders.Count(f => f == "/usr/local/cuda/lib64"), Is.EqualTo(1));
        Assert.That(folders, Is.Unique);
    }

    [Test]
    public void TheMissingMessageNamesTheLibraryEveryFolderAndWhatToDoOnOneLine()
    {
        var env = Env(("LD_LIBRARY_PATH", "/x/lib"));
        var folders = LibrarySearchPath.Directories(env, new Empty());
        var message = LibrarySearchPath.MissingMessage(CudaLibrary.CuDnn, folders, env, ["/x/lib/libcudnn.so.9: libcudnn_graph.so.9: cannot open"]);

        Assert.That(message, Does.StartWith("libcudnn.so.9 or libcudnn.so.8 (cuDNN) was not found."));
        foreach (var folder in folders) Assert.That(message, Does.Contain(folder));
        Assert.That(message, Does.Contain("DEEPIMPRESSION_CUDA_PATH (unset)"));
        Assert.That(message, Does.Contain("LD_LIBRARY_PATH (/x/lib)"));
        Assert.That(message, Does.Contain("python3 on PATH").And.Contain("/opt/*/.venv"));
        Assert.That(message, Does.Contain("Found but failed to load: /x/lib/libcudnn.so.9: libcudnn_graph.so.9: cannot open"));
        Assert.That(message, Does.Contain("set DEEPIMPRESSION_CUDA_PATH"));
        Assert.That(message, Does.Not.Contain("\n"));
    }

    [Test]
    public void OnDiskExpansionFindsVersionedFoldersNewestFirst()
    {
        using var fake = new FakeInstall();
        foreach (var v in new[] { "cuda-12.9", "cuda-12.10", "cuda-11.8" }) fake.Files($"/usr/local/{v}/lib64");
        fake.Files("/usr/local/cuda-13.0"); // no lib64: not a match
        Assert.That(fake.Expand("/usr/local/cuda-*/lib64"), Is.EqualTo(new[] { "cuda-12.10", "cuda-12.9", "cuda-11.8" }.Select(v => $"/usr/local/{v}/lib64")));
    }

    [Test]
    public void LibrariesAreTriedNewestVersionFirstWithTheirCompanionsAsPatterns()
    {
        Assert.That(CudaLibrary.Driver.FileNames, Is.EqualTo(new[] { "libcuda.so.1" }));
        Assert.That(CudaLibrary.CuDnn.FileNames, Is.EqualTo(new[] { "libcudnn.so.9", "libcudnn.so.8" }));
        Assert.That(CudaLibrary.CuBlas.FileNames.Take(3), Is.EqualTo(new[] { "libcublas.so.13", "libcublas.so.12", "libcublas.so.11" }));
        Assert.That(CudaLibrary.Nvrtc.FileNames.Take(2), Is.EqualTo(new[] { "libnvrtc.so.13", "libnvrtc.so.12" }));
        Assert.That(CudaLibrary.CuBlas.CompanionsOf("libcublas.so.12"), Is.EqualTo(new[] { "libcublasLt.so.12" }));
        Assert.That(CudaLibrary.Nvrtc.CompanionsOf("libnvrtc.so.11.2"), Is.EqualTo(new[] { "libnvrtc-builtins.so.11", "libnvrtc-builtins.so.11.*" }));
        Assert.That(CudaLibrary.CuDnn.CompanionsOf("libcudnn.so.9"), Is.EqualTo(new[] { "libcudnn_graph.so.9", "libcudnn_*.so.9" }));
        Assert.That(CudaLibrary.CuDnn.CompanionsOf("libcudnn.so.8"), Is.EqualTo(new[] { "libcudnn_ops_infer.so.8", "libcudnn_*.so.8" }));
    }

    // ---- fake install layouts ----------------------------------------------------------------------------------------

    private static LibraryLocation Locate(CudaLibrary library, FakeInstall fake, Func<string, string?> env) =>
        LibraryLocation.Find(library, LibrarySearchPath.Directories(env, fake), fake).FirstOrDefault()
        ?? throw new AssertionException($"{library} not found in the fake layout");

    private static readonly string[] CuDnn9 =
    [
        "libcudnn.so.9", "libcudnn_adv.so.9", "libcudnn_cnn.so.9", "libcudnn_engines_precompiled.so.9", "libcudnn_engines_runtime_compiled.so.9",
        "libcudnn_engines_tensor_ir.so.9", "libcudnn_graph.so.9", "libcudnn_heuristic.so.9", "libcudnn_ops.so.9",
    ];

    /// <summary>The GPU machine the check will run on: CUDA 13 wheels in a virtual environment under /opt, with no
    /// variable set and no python3 on PATH.</summary>
    [Test]
    public void Cuda13WheelsInAVirtualEnvironmentUnderOptAreFoundWithNoVariableSet()
    {
        using var fake = new FakeInstall();
        const string packages = "/opt/gpu-box/.venv/lib/python3.12/site-packages/nvidia";
        fake.Files(packages + "/cu13/lib", "libcublas.so.13", "libcublasLt.so.13", "libnvrtc.so.13", "libnvrtc-builtins.so.13.0", "libcudart.so.13")
            .Files(packages + "/cudnn/lib", CuDnn9)
            .Files("/usr/lib/x86_64-linux-gnu", "libcuda.so.1");
        var env = Env(("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin"), ("HOME", "/root"));

        var cublas = Locate(CudaLibrary.CuBlas, fake, env);
        Assert.That(cublas.Path, Is.EqualTo(packages + "/cu13/lib/libcublas.so.13"));
        Assert.That(cublas.Companions, Is.EqualTo(new[] { packages + "/cu13/lib/libcublasLt.so.13" }));
        var nvrtc = Locate(CudaLibrary.Nvrtc, fake, env);
        Assert.That(nvrtc.Path, Is.EqualTo(packages + "/cu13/lib/libnvrtc.so.13"));
        Assert.That(nvrtc.Companions, Is.EqualTo(new[] { packages + "/cu13/lib/libnvrtc-builtins.so.13.0" }));
        var cudnn = Locate(CudaLibrary.CuDnn, fake, env);
        Assert.That(cudnn.Path, Is.EqualTo(packages + "/cudnn/lib/libcudnn.so.9"));
        Assert.That(cudnn.Companions[0], Is.EqualTo(packages + "/cudnn/lib/libcudnn_graph.so.9"), "the library the others link, first");
        Assert.That(cudnn.Companions.Select(Path.GetFileName), Is.EquivalentTo(CuDnn9.Where(f => f != "libcudnn.so.9")), "every sub-library, the newer ones too");
        Assert.That(Locate(CudaLibrary.Driver, fake, env).Path, Is.EqualTo("/usr/lib/x86_64-linux-gnu/libcuda.so.1"));
    }

    /// <summary>CUDA 12 wheels (one folder per package) in an environment found only through the python3 on PATH.</summary>
    [Test]
    public void Cuda12WheelsAreFoundThroughThePython3OnPath()
    {
        using var fake = new FakeInstall();
        const string packages = "/srv/app/env/lib/python3.11/site-packages/nvidia";
        fake.Files("/usr/bin", "python3.11")
            .Link("/srv/app/env/bin/python3", "/usr/bin/python3.11")
            .Files(packages + "/cublas/lib", "libcublas.so.12", "libcublasLt.so.12")
            .Files(packages + "/cuda_nvrtc/lib", "libnvrtc.so.12", "libnvrtc-builtins.so.12.6")
            .Files(packages + "/cudnn/lib", CuDnn9.Where(f => f != "libcudnn_engines_tensor_ir.so.9").ToArray());
        var env = Env(("PATH", "/srv/app/env/bin:/usr/bin"), ("HOME", "/home/u"));

        Assert.That(Locate(CudaLibrary.CuBlas, fake, env).Path, Is.EqualTo(packages + "/cublas/lib/libcublas.so.12"));
        var nvrtc = Locate(CudaLibrary.Nvrtc, fake, env);
        Assert.That(nvrtc.Path, Is.EqualTo(packages + "/cuda_nvrtc/lib/libnvrtc.so.12"));
        Assert.That(nvrtc.Companions, Is.EqualTo(new[] { packages + "/cuda_nvrtc/lib/libnvrtc-builtins.so.12.6" }));
        Assert.That(Locate(CudaLibrary.CuDnn, fake, env).Path, Is.EqualTo(packages + "/cudnn/lib/libcudnn.so.9"));
        Assert.That(LibrarySearchPath.PythonOnPath(env, fake), Is.EqualTo(new[] { "/srv/app/env", "/usr" }),
            "the environment's root, then the prefix of the interpreter it links to");
    }

    /// <summary>An interpreter installed under its own prefix (as pyenv or a relocated build does) and put on PATH by a
    /// link: its site-packages is found through where the link points.</summary>
    [Test]
    public void WheelsBesideAnInterpreterReachedThroughALinkAreFound()
    {
        using var fake = new FakeInstall();
        const string packages = "/opt/python/3.12.4/lib/python3.12/site-packages/nvidia";
        fake.Files("/opt/python/3.12.4/bin", "python3.12")
            .Link("/usr/local/bin/python3", "/opt/python/3.12.4/bin/python3.12")
            .Files(packages + "/cu13/lib", "libnvrtc.so.13", "libnvrtc-builtins.so.13.0");
        var nvrtc = Locate(CudaLibrary.Nvrtc, fake, Env(("PATH", "/usr/local/bin")));
        Assert.That(nvrtc.Path, Is.EqualTo(packages + "/cu13/lib/libnvrtc.so.13"));
    }

    /// <summary>A CUDA 11.8 toolkit tarball (its NVRTC keeps the 11.2 soname but opens libnvrtc-builtins.so.11.8) and a
    /// cuDNN 8 tarball named by DEEPIMPRESSION_CUDA_PATH.</summary>
    [Test]
    public void ATarballInstallOfCuda11AndCuDnn8IsFoundWithTheBuiltinsOfItsRealVersion()
    {
        using var fake = new FakeInstall();
        const string toolkit = "/usr/local/cuda-11.8/targets/x86_64-linux/lib";
        fake.Files(toolkit, "libnvrtc.so.11.2", "libnvrtc-builtins.so.11.8", "libnvrtc-builtins.so.11.8.89", "libcublas.so.11", "libcublasLt.so.11")
            .Files("/opt/cudnn-linux-x86_64-8.9.7.29_cuda11-archive/lib", "libcudnn.so.8", "libcudnn_ops_infer.so.8", "libcudnn_ops_train.so.8",
                "libcudnn_cnn_infer.so.8", "libcudnn_cnn_train.so.8", "libcudnn_adv_infer.so.8", "libcudnn_adv_train.so.8");
        var env = Env((LibrarySearchPath.PathVariable, "/opt/cudnn-linux-x86_64-8.9.7.29_cuda11-archive"));

        var nvrtc = Locate(CudaLibrary.Nvrtc, fake, env);
        Assert.That(nvrtc.Path, Is.EqualTo(toolkit + "/libnvrtc.so.11.2"));
        Assert.That(nvrtc.Companions, Is.EqualTo(new[] { toolkit + "/libnvrtc-builtins.so.11.8.89", toolkit + "/libnvrtc-builtins.so.11.8" }));
        Assert.That(Locate(CudaLibrary.CuBlas, fake, env).Companions, Is.EqualTo(new[] { toolkit + "/libcublasLt.so.11" }));
        var cudnn = Locate(CudaLibrary.CuDnn, fake, env);
        Assert.That(cudnn.Path, Is.EqualTo("/opt/cudnn-linux-x86_64-8.9.7.29_cuda11-archive/lib/libcudnn.so.8"));
        Assert.That(Path.GetFileName(cudnn.Companions[0]), Is.EqualTo("libcudnn_ops_infer.so.8"));
        Assert.That(cudnn.Companions, Has.Count.EqualTo(6));
    }

    /// <summary>Distribution packages (libcudnn9-cuda-12, libcublas12, libnvrtc12) in the multiarch folder.</summary>
    [Test]
    public void ASystemInstallInTheMultiarchFolderIsFound()
    {
        using var fake = new FakeInstall();
        const string lib = "/usr/lib/x86_64-linux-gnu";
        fake.Files(lib, "libcuda.so.1", "libcudnn.so.9", "libcudnn_graph.so.9", "libcudnn_ops.so.9", "libcudnn_cnn.so.9",
            "libcublas.so.12", "libcublasLt.so.12", "libnvrtc.so.12", "libnvrtc-builtins.so.12.4");
        var env = Env(("PATH", "/usr/bin"), ("HOME", "/home/u"));
        foreach (var library in CudaLibrary.All) Assert.That(Path.GetDirectoryName(Locate(library, fake, env).Path), Is.EqualTo(lib), library.DisplayName);
        Assert.That(Locate(CudaLibrary.Nvrtc, fake, env).Companions, Is.EqualTo(new[] { lib + "/libnvrtc-builtins.so.12.4" }));
        Assert.That(Locate(CudaLibrary.CuDnn, fake, env).Companions.Select(Path.GetFileName),
            Is.EqualTo(new[] { "libcudnn_graph.so.9", "libcudnn_ops.so.9", "libcudnn_cnn.so.9" }));
    }

    /// <summary>A machine with both: the newest version wins wherever it is; among equal versions, search order.</summary>
    [Test]
    public void TheNewestVersionWinsAndAmongEqualOnesTheEarlierFolder()
    {
        using var fake = new FakeInstall();
        fake.Files("/usr/local/cuda-12.6/lib64", "libnvrtc.so.12", "libnvrtc-builtins.so.12.6", "libcublas.so.12", "libcublasLt.so.12")
            .Files("/home/u/.venv/lib/python3.12/site-packages/nvidia/cu13/lib", "libnvrtc.so.13", "libnvrtc-builtins.so.13.0")
            .Files("/opt/mine/lib", "libcublas.so.12", "libcublasLt.so.12");
        var env = Env(("HOME", "/home/u"), (LibrarySearchPath.PathVariable, "/opt/mine"));
        Assert.That(Locate(CudaLibrary.Nvrtc, fake, env).Path, Does.EndWith("/cu13/lib/libnvrtc.so.13"));
        Assert.That(Locate(CudaLibrary.CuBlas, fake, env).Path, Is.EqualTo("/opt/mine/lib/libcublas.so.12"));
    }

    private static int IndexOf(IReadOnlyList<string> list, string item)
    {
        for (int i = 0; i < list.Count; i++)
            if (list[i] == item) return i;
        Assert.Fail($"{item} is not in the search list: {string.Join(", ", list)}");
        return -1;
    }
}
