using DeepImpression.Core.Tensors;

namespace DeepImpression.Cuda.Tests.Parity;

/// <summary>
/// The parity checks with the CPU backend as the device under test, in every CI run: a bound the CPU's own float32
/// arithmetic cannot meet would be a wrong bound, found here before a GPU ever runs the same checks.
/// </summary>
[TestFixture]
public sealed class CpuPrimitiveParityTests : PrimitiveParityChecks
{
    protected override Device Device => Device.Cpu;
}
