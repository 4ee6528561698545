using DeepImpression.Core.Tensors;
using DeepImpression.Cuda.Tests.Gpu;

namespace DeepImpression.Cuda.Tests.Parity;

/// <summary>The parity checks on the GPU (deterministic mode): skipped with the reason where there is none.</summary>
[TestFixture]
[Category("Gpu")]
public sealed class GpuPrimitiveParityTests : PrimitiveParityChecks
{
    protected override Device Device => GpuSession.Device;

    [OneTimeSetUp]
    public void OpenGpu() => GpuSession.Open();
}
