using DeepImpression.Core.Backends;
using DeepImpression.Core.Tensors;

namespace DeepImpression.Cuda.Tests.Gpu;

/// <summary>
/// Base of the GPU tests that are not primitive parity checks (those are <see cref="Parity.GpuPrimitiveParityTests"/>):
/// skips the whole fixture with the reason where there is no GPU (<see cref="GpuSession"/>), and gives CPU/GPU
/// tensor helpers.
/// </summary>
[Category("Gpu")]
public abstract class GpuTestBase
{
    /// <summary>Why GPU tests cannot run here, or null when they can.</summary>
    public static string? UnavailableReason => GpuSession.UnavailableReason;

    protected static Device GpuDevice => GpuSession.Device;
    protected static Device CpuDevice => Device.Cpu;

    /// <summary>The backend under test, opened through Core's registry as the trainer does (it owns it).</summary>
    protected static CudaBackend Gpu => (CudaBackend)BackendRegistry.Get(GpuDevice);
    protected static IBackend Cpu => BackendRegistry.Get(Device.Cpu);

    [OneTimeSetUp]
    public void OpenGpu() => GpuSession.Open();

    /// <summary>Uniform values in [low, high) on the CPU, from a fixed seed.</summary>
    protected static Tensor CpuRandom(Shape shape, int seed, float low = -1f, float high = 1f) =>
        Tensor.RandomUniform(shape, new Rng((ulong)seed), low, high, CpuDevice);

    protected static Tensor CpuFrom(float[] values, Shape shape) => Tensor.FromArray(values, shape, CpuDevice);

    protected static Tensor CpuEmpty(Shape shape) => Tensor.Empty(shape, CpuDevice);

    protected static Tensor ToGpu(Tensor cpu) => cpu.To(GpuDevice);

    protected static Tensor GpuEmpty(Shape shape) => Tensor.Empty(shape, GpuDevice);
}
