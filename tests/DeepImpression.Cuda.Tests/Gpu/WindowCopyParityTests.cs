using DeepImpression.Core.Backends;
using DeepImpression.Core.Tensors;

namespace DeepImpression.Cuda.Tests.Gpu;

/// <summary>The window copies of incremental occlusion (windows.cu) against the CPU backend: plain copies, so the
/// results must be identical, padding value and clipped cells included.</summary>
[TestFixture]
public class WindowCopyParityTests : GpuTestBase
{
    [Test]
    public void CopyWindowsMatchesTheCpuBitForBit()
    {
        var xShape = new Shape(2, 3, 9, 13);
        var yShape = new Shape(3, 3, 6, 7);
        using var x = CpuRandom(xShape, 61);
        using var y = CpuRandom(yShape, 62);
        using var gx = ToGpu(x);
        using var gy = ToGpu(y);
        WindowCopy[] windows =
        [
            new(0, -2, -3, 0, 0, 0, 6, 7),
            new(1, 5, 9, 1, 0, 0, 6, 7),
            new(1, 2, 2, 2, -1, 2, 4, 9),
        ];
        Cpu.CopyWindows(x, y, windows, float.NegativeInfinity);
        Gpu.CopyWindows(gx, gy, windows, float.NegativeInfinity);
        Assert.That(gy.ToArray(), Is.EqualTo(y.ToArray()));
    }
}
