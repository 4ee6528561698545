using System.Diagnostics;
using DeepImpression.Cuda.Kernels;

namespace DeepImpression.Cuda.Tests.HostSide;

[TestFixture]
public class KernelSourceTests
{
    private static Dictionary<string, KernelSignature> DeclaredInSources() =>
        KernelSources.Modules.SelectMany(m => CudaSourceSignatures.Parse(m, KernelSources.Read(m))).ToDictionary(k => k.Name);

    [Test]
    public void EveryKernelSourceIsEmbedded()
    {
        var onDisk = Directory.GetFiles(Path.Combine(RepositoryRoot(), "kernels"), "*.cu").Select(Path.GetFileNameWithoutExtension).Order();
        Assert.That(KernelSources.Modules, Is.EqualTo(onDisk));
        Assert.That(KernelSources.Modules, Is.SupersetOf(new[] { "elementwise", "optimizers", "pooling", "reductions" }));
    }

    [Test]
    public void EveryLaunchedKernelIsDeclaredWithExactlyTheParametersTheLauncherPasses()
    {
        var declared = DeclaredInSources();
        foreach (var expected in KernelCatalog.All)
        {
            Assert.That(declared.TryGetValue(expected.Name, out var actual), Is.True, $"{expected.Name} is not declared extern \"C\" __global__ in kernels/");
            Assert.That(actual!.Module, Is.EqualTo(expected.Module), expected.Name);
            Assert.That(actual.Parameters, Is.EqualTo(expected.Parameters), $"{expected.Name}: source says {actual}, launcher passes {expected}");
        }
    }

    [Test]
    public void EveryDeclaredKernelIsLaunchedBySomething()
    {
        var launched = KernelCatalog.All.Select(k => k.Name).ToHashSet();
        Assert.That(DeclaredInSources().Keys, Is.SubsetOf(launched));
    }

    [Test]
    public void TheReductionBlockSizeMatchesTheSource()
    {
        Assert.That(KernelSources.Read("reductions"), Does.Contain($"#define REDUCE_THREADS {KernelCatalog.ReduceThreads}"));
    }

    /// <summary>
    /// Without NVRTC, clang's NVPTX back end still type-checks the kernels and generates PTX for them. The prelude
    /// declares the few built-ins NVRTC would supply (the rounding intrinsics as external functions: clang only type-checks
    /// their use). Skipped when clang is absent.
    /// </summary>
    [Test]
    public void KernelSourcesCompileToPtxWithClangWhereItIsInstalled()
    {
        var clang = new[] { "clang", "clang-19", "clang-18", "clang-17", "clang-16", "clang-15", "clang-14" }.FirstOrDefault(OnPath);
        if (clang is null) Assert.Ignore("clang is not installed, so the kernel sources were not compiled here (NVRTC compiles them on a GPU machine).");
        var work = Path.Combine(Path.GetTempPath(), "di-kernels-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(work);
        try
        {
            var prelude = Path.Combine(work, "prelude.h");
            File.WriteAllText(prelude, ClangPrelude);
            foreach (var module in KernelSources.Modules)
            {
                var source = Path.Combine(work, module + ".cu");
                File.WriteAllText(source, KernelSources.Read(module));
                var ptx = Path.Combine(work, module + ".ptx");
                var (exit, output) = Run(clang, $"-x cuda --cuda-gpu-arch=sm_70 --cuda-device-only -nocudainc -nocudalib -Wall -Werror -Wno-unknown-cuda-version -include \"{prelude}\" -S -o \"{ptx}\" \"{source}\"");
                if (exit != 0 && output.Contains("unsupported", StringComparison.OrdinalIgnoreCase) && output.Contains("cuda", StringComparison.OrdinalIgnoreCase))
                    Assert.Ignore($"{clang} cannot target CUDA here: {output}");
                Assert.That(exit, Is.Zero, $"{module}.cu does not compile:\n{output}");
                var entries = File.ReadAllLines(ptx).Where(l => l.Contains(".entry")).ToArray();
                foreach (var kernel in KernelCatalog.All.Where(k => k.Module == module))
                    Assert.That(entries.Any(e => e.Contains(" " + kernel.Name + "(", StringComparison.Ordinal)), Is.True, $"{kernel.Name} missing from the PTX of {module}.cu");
            }
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private const string ClangPrelude = """
        #include "__clang_cuda_builtin_vars.h"
        #define __global__ __attribute__((global))
        #define __device__ __attribute__((device))
        #define __shared__ __attribute__((shared))
        extern "C" __device__ float sqrtf(float);
        extern "C" __device__ double fabs(double);
        extern "C" __device__ float __int_as_float(int);
        extern "C" __device__ float fmaf(float, float, float);
        extern "C" __device__ float __fadd_rn(float, float);
        extern "C" __device__ float __fsub_rn(float, float);
        extern "C" __device__ float __fmul_rn(float, float);
        extern "C" __device__ float __fdiv_rn(float, float);
        extern "C" __device__ float __fsqrt_rn(float);
        extern "C" __device__ double __dadd_rn(double, double);
        extern "C" __device__ double __dsub_rn(double, double);
        extern "C" __device__ double __ddiv_rn(double, double);
        extern "C" __device__ void __syncthreads(void) __asm("llvm.nvvm.barrier0");
        static __device__ inline int min(int a, int b) { return a < b ? a : b; }
        static __device__ inline int max(int a, int b) { return a > b ? a : b; }
        """;

    internal static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "DeepImpression.sln"))) return dir.FullName;
        Assert.Ignore("The repository (DeepImpression.sln) is not above the test binaries, so kernels/ cannot be listed.");
        return "";
    }

    private static bool OnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(d => d.Length > 0 && File.Exists(Path.Combine(d, program)));

    private static (int Exit, string Output) Run(string program, string arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(program, arguments) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output.Result + errors);
    }
}
