using DeepImpression.Core.Backends;
using DeepImpression.Core.Tensors;
using DeepImpression.Cuda.Tests.Parity;

namespace DeepImpression.Cuda.Tests.Gpu;

/// <summary>
/// Our own kernels (kernels/*.cu) round operation by operation as the CPU kernels do (explicit round-to-nearest
/// intrinsics, fmaf where the CPU fuses, --fmad=false), so from the same inputs they give the CPU's bits exactly:
/// element-wise arithmetic, the optimizer updates over several steps, the MAE gradient, and pooling where our
/// kernels run it.
/// </summary>
public class KernelExactnessTests : GpuTestBase
{
    private static void SameBits(Tensor cpu, Tensor gpu, string what) => ParityAssert.Exact(gpu.ToArray(), cpu.ToArray(), what);

    [Test]
    public void ElementwiseArithmeticHasTheCpusBits()
    {
        var shape = new Shape(4, 6, 3, 5);
        using var a = CpuRandom(shape, 51);
        using var b = CpuRandom(shape, 52);
        using var ga = ToGpu(a);
        using var gb = ToGpu(b);
        using var y = CpuEmpty(shape);
        using var gy = GpuEmpty(shape);
        Cpu.Add(a, b, y);
        Gpu.Add(ga, gb, gy);
        SameBits(y, gy, "add");
        Cpu.Affine(a, 0.3f, -0.7f, y);
        Gpu.Affine(ga, 0.3f, -0.7f, gy);
        SameBits(y, gy, "affine");
        Cpu.Axpby(1.7f, a, 0f, y);
        Gpu.Axpby(1.7f, ga, 0f, gy);
        SameBits(y, gy, "axpby, beta 0");
        Cpu.Axpby(-0.3f, b, 0.9f, y);
        Gpu.Axpby(-0.3f, gb, 0.9f, gy);
        SameBits(y, gy, "axpby");
    }

    [Test]
    public void OptimizerUpdatesKeepTheCpusBitsStepAfterStep()
    {
        var shape = new Shape(4099);
        using var param = CpuRandom(shape, 81);
        using var grad = CpuRandom(shape, 82);
        using var m = CpuRandom(shape, 83, -0.1f, 0.1f);
        using var v = CpuRandom(shape, 84, 0f, 0.01f);
        using var velocity = CpuRandom(shape, 85, -0.1f, 0.1f);
        using var gparam = ToGpu(param);
        using var ggrad = ToGpu(grad);
        using var gm = ToGpu(m);
        using var gv = ToGpu(v);
        using var gvelocity = ToGpu(velocity);
        for (int step = 0; step < 5; step++)
        {
            Cpu.AdamUpdate(param, grad, m, v, 2e-4f, 0.5f, 0.999f, 1e-8f);
            Gpu.AdamUpdate(gparam, ggrad, gm, gv, 2e-4f, 0.5f, 0.999f, 1e-8f);
            Cpu.SgdMomentumUpdate(param, grad, velocity, 0.01f, 0.9f);
            Gpu.SgdMomentumUpdate(gparam, ggrad, gvelocity, 0.01f, 0.9f);
        }
        SameBits(m, gm, "adam m");
        SameBits(v, gv, "adam v");
        SameBits(velocity, gvelocity, "sgd velocity");
        SameBits(param, gparam, "parameters after 5 Adam and 5 SGD steps");
    }

    [Test]
    public void TheMeanAbsoluteErrorGradientHasTheCpusBits()
    {
        using var p = CpuRandom(new Shape(32, 5), 72, 0f, 1f);
        var tv = p.ToArray();
        for (int i = 0; i < tv.Length; i += 3) tv[i] += 0.1f;
        using var t = CpuFrom(tv, p.Shape);
        using var dLoss = CpuFrom([0.7f], new Shape(1));
        using var dp = CpuEmpty(p.Shape);
        using var gdp = GpuEmpty(p.Shape);
        Cpu.MeanAbsoluteErrorBackward(p, t, dLoss, dp);
        Gpu.MeanAbsoluteErrorBackward(ToGpu(p), ToGpu(t), ToGpu(dLoss), gdp);
        SameBits(dp, gdp, "mean absolute error gradient");
    }

    [TestCase(PoolingMode.Max, false)]
    [TestCase(PoolingMode.Max, true)]
    [TestCase(PoolingMode.AverageCountIncludePadding, true)]
    public void PoolingOnOurKernelsHasTheCpusBits(PoolingMode mode, bool coverAll)
    {
        var geometry = new PoolingGeometry(3, 3, 2, 2, 1, 1, coverAll);
        using var raw = CpuRandom(new Shape(2, 3, 10, 9), 21, 0f, 4f);
        using var x = CpuFrom(raw.ToArray().Select(v => MathF.Max(MathF.Floor(v) - 1f, 0f)).ToArray(), raw.Shape);
        var (oh, ow) = geometry.OutputShape(10, 9);
        var yShape = new Shape(2, 3, oh, ow);
        using var y = CpuEmpty(yShape);
        using var gy = GpuEmpty(yShape);
        using var gx = ToGpu(x);
        Cpu.PoolingForward(mode, geometry, x, y);
        Gpu.PoolingForward(mode, geometry, gx, gy);
        using var dy = CpuRandom(yShape, 22);
        using var dx = CpuEmpty(x.Shape);
        using var gdx = GpuEmpty(x.Shape);
        Cpu.PoolingBackward(mode, geometry, x, y, dy, dx);
        Gpu.PoolingBackward(mode, geometry, gx, gy, ToGpu(dy), gdx);
        if (mode == PoolingMode.Max) SameBits(y, gy, "max forward");
        SameBits(dx, gdx, $"{mode} backward");
    }
}
