using DeepImpression.Core.Backends;
using DeepImpression.Core.Tensors;

namespace DeepImpression.Cuda.Tests.Gpu;

/// <summary>Activations, products, element-wise arithmetic, layout, reductions, loss and optimizer updates against
/// the CPU backend. Single operations per element: 1e-6 of the magnitude; sums and products: 1e-5.</summary>
[TestFixture]
public class ElementwiseParityTests : GpuTestBase
{
    private const double Exact = 1e-6;
    private const double Summed = 1e-5;

    [TestCase(ActivationMode.Relu)]
    [TestCase(ActivationMode.Tanh)]
    public void ActivationForwardAndBackward(ActivationMode mode)
    {
        var shape = new Shape(3, 5, 2, 7);
        using var x = CpuRandom(shape, 31, -3f, 3f);
        using var dy = CpuRandom(shape, 32);
        using var gx = ToGpu(x);
        using var gdy = ToGpu(dy);
        using var y = CpuEmpty(shape);
        using var gy = GpuEmpty(shape);
        Cpu.ActivationForward(mode, x, y);
        Gpu.ActivationForward(mode, gx, gy);
        AssertParity(y, gy, Exact, $"{mode} forward");
        using var dx = CpuEmpty(shape);
        using var gdx = GpuEmpty(shape);
        Cpu.ActivationBackward(mode, y, dy, dx);
        Gpu.ActivationBackward(mode, gy, gdy, gdx);
        AssertParity(dx, gdx, Exact, $"{mode} backward");
    }

    [TestCase(false, false, 0f)]
    [TestCase(true, false, 0.5f)]
    [TestCase(false, true, 0f)]
    [TestCase(true, true, 1f)]
    public void Gemm(bool transposeA, bool transposeB, float beta)
    {
        const int m = 7, n = 5, k = 33;
        using var a = CpuRandom(transposeA ? new Shape(k, m) : new Shape(m, k), 41);
        using var b = CpuRandom(transposeB ? new Shape(n, k) : new Shape(k, n), 42);
        var start = Enumerable.Repeat(beta == 0f ? float.NaN : 0.25f, m * n).ToArray();
        using var c = CpuFrom(start, new Shape(m, n));
        using var gc = ToGpu(c);
        Cpu.Gemm(transposeA, transposeB, 1.5f, a, b, beta, c);
        Gpu.Gemm(transposeA, transposeB, 1.5f, ToGpu(a), ToGpu(b), beta, gc);
        AssertParity(c, gc, Summed, "gemm");
    }

    [Test]
    public void AddAxpbyAffineAndBiasAdd()
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
        AssertParity(y, gy, Exact, "add");

        using var acc = CpuFrom(Enumerable.Repeat(float.NaN, shape.Count).ToArray(), shape);
        using var gacc = ToGpu(acc);
        Cpu.Axpby(2f, a, 0f, acc);
        Gpu.Axpby(2f, ga, 0f, gacc);
        AssertParity(acc, gacc, Exact, "axpby with beta 0 over NaN");
        Cpu.Axpby(-0.5f, b, 0.75f, acc);
        Gpu.Axpby(-0.5f, gb, 0.75f, gacc);
        AssertParity(acc, gacc, Exact, "axpby");

        Cpu.Affine(a, 0.5f, 0.5f, y);
        Gpu.Affine(ga, 0.5f, 0.5f, gy);
        AssertParity(y, gy, Exact, "affine");

        using var bias = CpuRandom(new Shape(6), 53);
        Cpu.BiasAdd(y, bias);
        Gpu.BiasAdd(gy, ToGpu(bias));
        AssertParity(y, gy, Exact, "bias add (N,C,H,W)");

        using var fc = CpuRandom(new Shape(4, 6), 54);
        using var gfc = ToGpu(fc);
        Cpu.BiasAdd(fc, bias);
        Gpu.BiasAdd(gfc, ToGpu(bias));
        AssertParity(fc, gfc, Exact, "bias add (N,C)");
    }

    [TestCase(1)]
    [TestCase(3)]
    [TestCase(0)]
    public void ConcatAndSplit(int axis)
    {
        Shape[] parts = axis switch
        {
            1 => [new Shape(3, 2, 4, 5), new Shape(3, 7, 4, 5)],
            3 => [new Shape(3, 2, 4, 1), new Shape(3, 2, 4, 6), new Shape(3, 2, 4, 2)],
            _ => [new Shape(1, 2, 3), new Shape(4, 2, 3)],
        };
        var total = parts[0].With(axis, parts.Sum(p => p[axis]));
        var inputs = parts.Select((p, i) => CpuRandom(p, 60 + i)).ToList();
        using var y = CpuEmpty(total);
        using var gy = GpuEmpty(total);
        Cpu.Concat(inputs, axis, y);
        Gpu.Concat(inputs.Select(ToGpu).ToList(), axis, gy);
        AssertParity(y, gy, Exact, "concat");

        var outs = parts.Select(CpuEmpty).ToList();
        var gouts = parts.Select(GpuEmpty).ToList();
        Cpu.Split(y, axis, outs);
        Gpu.Split(gy, axis, gouts);
        for (int i = 0; i < parts.Length; i++)
        {
            AssertParity(outs[i], gouts[i], Exact, $"split part {i}");
            AssertParity(inputs[i], gouts[i], Exact, $"split inverts concat, part {i}");
        }
    }

    [TestCase(0)]
    [TestCase(1)]
    [TestCase(2)]
    [TestCase(3)]
    public void SumAxis(int axis)
    {
        var shape = new Shape(5, 4, 3, 6);
        using var x = CpuRandom(shape, 70);
        using var y = CpuEmpty(shape.With(axis, 1));
        using var gy = GpuEmpty(shape.With(axis, 1));
        Cpu.SumAxis(x, axis, y);
        Gpu.SumAxis(ToGpu(x), axis, gy);
        AssertParity(y, gy, Summed, $"sum over axis {axis}");
    }

    [Test]
    public void SumOfAMillionElementsAndTheMeanAbsoluteErrorWithItsGradient()
    {
        using var x = CpuRandom(new Shape(1000, 1000), 71, 0f, 1f);
        using var s = CpuEmpty(new Shape(1));
        using var gs = GpuEmpty(new Shape(1));
        Cpu.Sum(x, s);
        Gpu.Sum(ToGpu(x), gs);
        AssertParity(s, gs, Summed, "sum");

        using var p = CpuRandom(new Shape(32, 5), 72, 0f, 1f);
        var targetValues = p.ToArray();
        for (int i = 0; i < targetValues.Length; i += 3) targetValues[i] += 0.1f * ((i % 2) * 2 - 1);
        using var t = CpuFrom(targetValues, p.Shape); // every third differs, the rest tie: sign(0) = 0
        using var gp = ToGpu(p);
        using var gt = ToGpu(t);
        using var loss = CpuEmpty(new Shape(1));
        using var gloss = GpuEmpty(new Shape(1));
        Cpu.MeanAbsoluteError(p, t, loss);
        Gpu.MeanAbsoluteError(gp, gt, gloss);
        AssertParity(loss, gloss, Summed, "mean absolute error");

        using var dLoss = CpuFrom([0.7f], new Shape(1));
        using var dp = CpuEmpty(p.Shape);
        using var gdp = GpuEmpty(p.Shape);
        Cpu.MeanAbsoluteErrorBackward(p, t, dLoss, dp);
        Gpu.MeanAbsoluteErrorBackward(gp, gt, ToGpu(dLoss), gdp);
        AssertParity(dp, gdp, Exact, "mean absolute error gradient");
    }

    [Test]
    public void AdamAndSgdMomentumUpdates()
    {
        var shape = new Shape(1000);
        using var param = CpuRandom(shape, 81);
        using var grad = CpuRandom(shape, 82);
        using var m = CpuRandom(shape, 83, -0.1f, 0.1f);
        using var v = CpuRandom(shape, 84, 0f, 0.01f);
        using var gparam = ToGpu(param);
        using var gm = ToGpu(m);
        using var gv = ToGpu(v);
        using var ggrad = ToGpu(grad);
        for (int step = 0; step < 3; step++)
        {
            Cpu.AdamUpdate(param, grad, m, v, 2e-4f, 0.5f, 0.999f, 1e-8f);
            Gpu.AdamUpdate(gparam, ggrad, gm, gv, 2e-4f, 0.5f, 0.999f, 1e-8f);
        }
        AssertParity(m, gm, Exact, "adam m");
        AssertParity(v, gv, Exact, "adam v");
        AssertParity(param, gparam, Exact, "adam param");

        using var velocity = CpuRandom(shape, 85, -0.1f, 0.1f);
        using var gvelocity = ToGpu(velocity);
        Cpu.SgdMomentumUpdate(param, grad, velocity, 0.01f, 0.9f);
        Gpu.SgdMomentumUpdate(gparam, ggrad, gvelocity, 0.01f, 0.9f);
        AssertParity(velocity, gvelocity, Exact, "sgd velocity");
        AssertParity(param, gparam, Exact, "sgd param");
    }
}
