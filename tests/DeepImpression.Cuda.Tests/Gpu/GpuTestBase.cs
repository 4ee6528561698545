using DeepImpression.Core.Backends;
using DeepImpression.Core.Tensors;
using DeepImpression.Cuda.Interop;
using DeepImpression.Cuda.Runtime;

namespace DeepImpression.Cuda.Tests.Gpu;

/// <summary>
/// Base of every test that needs a GPU: skips the whole fixture with the reason (no driver, no GPU, a library
/// missing) instead of passing it, and gives CPU/GPU tensor helpers and a parity assertion. A test of a whole
/// network training step derives from this and compares <see cref="Cpu"/> with <see cref="GpuDevice"/> the same way.
/// </summary>
[Category("Gpu")]
public abstract class GpuTestBase
{
    private static readonly Lazy<string?> Unavailable = new(FindReasonToSkip);

    /// <summary>Why GPU tests cannot run here, or null when they can.</summary>
    public static string? UnavailableReason => Unavailable.Value;

    protected static Device GpuDevice => Device.Cuda(0);
    protected static Device CpuDevice => Device.Cpu;

    /// <summary>The backend under test, opened through Core's registry as the trainer does.</summary>
    protected CudaBackend Gpu { get; private set; } = null!;
    protected static IBackend Cpu => BackendRegistry.Get(Device.Cpu);

    [OneTimeSetUp]
    public void OpenGpu()
    {
        if (UnavailableReason is { } reason) Assert.Ignore(reason);
        CudaBackend.Register();
        Gpu = (CudaBackend)BackendRegistry.Get(GpuDevice);
    }

    private static string? FindReasonToSkip()
    {
        var driver = CudaLibraries.Load(CudaLibrary.Driver);
        if (!driver.IsLoaded) return $"No CUDA GPU: {driver.FailureMessage}";
        try
        {
            if (CudaDeviceInfo.Enumerate().Count == 0) return "No CUDA GPU: the driver is installed but sees no device.";
        }
        catch (CudaException e)
        {
            return $"No CUDA GPU: {e.Message}";
        }
        foreach (var library in CudaLibrary.All)
        {
            var load = CudaLibraries.Load(library);
            if (!load.IsLoaded) return $"A CUDA GPU is present but a library is missing: {load.FailureMessage}";
        }
        return null;
    }

    // ---- tensors -------------------------------------------------------------------------------------------------

    /// <summary>Uniform values in [low, high) on the CPU, from a fixed seed.</summary>
    protected static Tensor CpuRandom(Shape shape, int seed, float low = -1f, float high = 1f) =>
        Tensor.RandomUniform(shape, new Rng((ulong)seed), low, high, CpuDevice);

    protected static Tensor CpuFrom(float[] values, Shape shape) => Tensor.FromArray(values, shape, CpuDevice);

    protected static Tensor CpuEmpty(Shape shape) => Tensor.Empty(shape, CpuDevice);

    protected static Tensor ToGpu(Tensor cpu) => cpu.To(GpuDevice);

    protected static Tensor GpuEmpty(Shape shape) => Tensor.Empty(shape, GpuDevice);

    // ---- parity --------------------------------------------------------------------------------------------------

    /// <summary>
    /// Asserts that every GPU element matches the CPU one within <paramref name="relative"/> of its magnitude:
    /// |gpu − cpu| ≤ relative · max(|cpu|, 10⁻³ · max|cpu|). The floor keeps elements near zero (where sums cancel)
    /// to a tolerance set by the tensor's scale rather than by their own tiny size.
    /// </summary>
    protected static void AssertParity(Tensor cpu, Tensor gpu, double relative, string what)
    {
        Assert.That(gpu.Shape, Is.EqualTo(cpu.Shape), what);
        AssertParity(cpu.ToArray(), gpu.ToArray(), relative, what);
    }

    protected static void AssertParity(float[] expected, float[] actual, double relative, string what)
    {
        Assert.That(actual, Has.Length.EqualTo(expected.Length), what);
        double scale = expected.Length == 0 ? 0 : expected.Max(v => Math.Abs((double)v));
        double floor = Math.Max(1e-3 * scale, 1e-30);
        int worst = -1;
        double worstRatio = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.That(float.IsNaN(actual[i]), Is.EqualTo(float.IsNaN(expected[i])), $"{what}: element {i} is {actual[i]}, CPU has {expected[i]}");
            if (float.IsNaN(expected[i]) || expected[i] == actual[i]) continue;
            double ratio = Math.Abs((double)actual[i] - expected[i]) / (relative * Math.Max(Math.Abs((double)expected[i]), floor));
            if (ratio > worstRatio)
            {
                worstRatio = ratio;
                worst = i;
            }
        }
        Assert.That(worstRatio, Is.LessThanOrEqualTo(1.0),
            $"{what}: element {worst} is {(worst < 0 ? 0 : actual[worst])} on the GPU, {(worst < 0 ? 0 : expected[worst])} on the CPU " +
            $"(beyond {relative:G2} of its magnitude; tensor scale {scale:G4})");
    }
}
