using DeepImpression.Cuda.Interop;
using DeepImpression.Cuda.Kernels;

namespace DeepImpression.Cuda.Tests.HostSide;

/// <summary>NVRTC needs no GPU: where it is installed, every kernel source must compile, for a CUBIN and for PTX.</summary>
[TestFixture]
public class NvrtcCompileTests
{
    [OneTimeSetUp]
    public void RequireNvrtc()
    {
        var nvrtc = CudaLibraries.Load(CudaLibrary.Nvrtc);
        if (!nvrtc.IsLoaded) Assert.Ignore($"NVRTC is not installed, so kernels/*.cu were not compiled by it here: {nvrtc.FailureMessage}");
    }

    [Test]
    public void EveryModuleCompilesForTheNewestArchitectureAsCubinAndForTheOldestAsPtx()
    {
        var archs = Nvrtc.SupportedArchitectures();
        Assert.That(archs, Is.Not.Empty);
        foreach (var module in KernelSources.Modules)
        {
            var source = KernelSources.Read(module);
            var cubin = Nvrtc.Compile(source, module + ".cu", [new CompileTarget(archs.Max(), true).ArchitectureOption], cubin: true);
            Assert.That(cubin.Take(4), Is.EqualTo(new byte[] { 0x7f, (byte)'E', (byte)'L', (byte)'F' }), $"{module}: a CUBIN is an ELF image");
            var ptx = System.Text.Encoding.UTF8.GetString(Nvrtc.Compile(source, module + ".cu", [new CompileTarget(archs.Min(), false).ArchitectureOption], cubin: false));
            foreach (var kernel in KernelCatalog.All.Where(k => k.Module == module))
                Assert.That(ptx, Does.Contain($".entry {kernel.Name}("), $"{kernel.Name} in the PTX of {module}.cu");
        }
    }

    [Test]
    public void ACompileErrorCarriesTheCompilerLog()
    {
        var e = Assert.Throws<CudaException>(() => Nvrtc.Compile("extern \"C\" __global__ void broken(int* p) { p[0] = undefined_name; }",
            "broken.cu", [new CompileTarget(Nvrtc.SupportedArchitectures().Max(), true).ArchitectureOption], cubin: true))!;
        Assert.That(e.Call, Is.EqualTo("nvrtcCompileProgram"));
        Assert.That(e.Message, Does.Contain("NVRTC_ERROR_COMPILATION").And.Contain("undefined_name"));
    }

    [Test]
    public void TheKernelCompilerStoresItsOutputUnderTheCacheKeyAndReadsItBack()
    {
        var folder = Path.Combine(Path.GetTempPath(), "di-kernel-cache-" + Guid.NewGuid().ToString("N"));
        try
        {
            var compiler = new KernelCompiler(Nvrtc.SupportedArchitectures().Max(), folder);
            var first = compiler.Compile("elementwise");
            var files = Directory.GetFiles(folder);
            Assert.That(files, Has.Length.EqualTo(1));
            Assert.That(Path.GetFileName(files[0]), Does.StartWith($"elementwise-{compiler.Target.Label}-nvrtc"));
            File.WriteAllBytes(files[0], [1, 2, 3]); // a cached file is used as is: prove the second call reads it
            Assert.That(compiler.Compile("elementwise"), Is.EqualTo(new byte[] { 1, 2, 3 }));
            Assert.That(first, Is.Not.Empty);
        }
        finally
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
    }
}
