using DeepImpression.Core.Backends;
using DeepImpression.Core.Tensors;

namespace DeepImpression.Cuda.Tests.Gpu;

/// <summary>Batch normalization (cuDNN) and pooling (our kernels and cuDNN) against the CPU backend.</summary>
[TestFixture]
public class NormalizationAndPoolingParityTests : GpuTestBase
{
    private const double BatchNormTolerance = 1e-4;
    /// <summary>Max pooling copies values (exact but for the order of gradient sums); averages sum up to a few
    /// hundred values, in float inside cuDNN.</summary>
    private const double PoolingTolerance = 1e-5;

    [TestCase(4, 6, 5, 7)]
    [TestCase(3, 8, 1, 40)]
    public void BatchNormTrainingInferenceAndBackward(int n, int c, int h, int w)
    {
        var shape = new Shape(n, c, h, w);
        using var x = CpuRandom(shape, 11, -3f, 5f);
        using var gamma = CpuRandom(new Shape(c), 12, 0.5f, 1.5f);
        using var beta = CpuRandom(new Shape(c), 13);
        using var runningMean = CpuRandom(new Shape(c), 14);
        using var runningVar = CpuRandom(new Shape(c), 15, 0.5f, 2f);
        using var dy = CpuRandom(shape, 16);
        using var gx = ToGpu(x);
        using var ggamma = ToGpu(gamma);
        using var gbeta = ToGpu(beta);
        using var grm = ToGpu(runningMean);
        using var grv = ToGpu(runningVar);
        using var gdy = ToGpu(dy);

        using var y = CpuEmpty(shape);
        using var gy = GpuEmpty(shape);
        using var saveMean = CpuEmpty(new Shape(c));
        using var saveInv = CpuEmpty(new Shape(c));
        using var gSaveMean = GpuEmpty(new Shape(c));
        using var gSaveInv = GpuEmpty(new Shape(c));
        Cpu.BatchNormForwardTraining(x, gamma, beta, y, 0.1, runningMean, runningVar, 2e-5, saveMean, saveInv);
        Gpu.BatchNormForwardTraining(gx, ggamma, gbeta, gy, 0.1, grm, grv, 2e-5, gSaveMean, gSaveInv);
        AssertParity(y, gy, BatchNormTolerance, "training y");
        AssertParity(saveMean, gSaveMean, BatchNormTolerance, "saved mean");
        AssertParity(saveInv, gSaveInv, BatchNormTolerance, "saved 1/std");
        AssertParity(runningMean, grm, BatchNormTolerance, "running mean");
        AssertParity(runningVar, grv, BatchNormTolerance, "running variance (unbiased)");

        using var dx = CpuEmpty(shape);
        using var dgamma = CpuEmpty(new Shape(c));
        using var dbeta = CpuEmpty(new Shape(c));
        using var gdx = GpuEmpty(shape);
        using var gdgamma = GpuEmpty(new Shape(c));
        using var gdbeta = GpuEmpty(new Shape(c));
        Cpu.BatchNormBackward(x, dy, gamma, saveMean, saveInv, dx, dgamma, dbeta);
        Gpu.BatchNormBackward(gx, gdy, ggamma, gSaveMean, gSaveInv, gdx, gdgamma, gdbeta);
        AssertParity(dx, gdx, BatchNormTolerance, "dx");
        AssertParity(dgamma, gdgamma, BatchNormTolerance, "dgamma");
        AssertParity(dbeta, gdbeta, BatchNormTolerance, "dbeta");

        using var yi = CpuEmpty(shape);
        using var gyi = GpuEmpty(shape);
        Cpu.BatchNormForwardInference(x, gamma, beta, runningMean, runningVar, 2e-5, yi);
        Gpu.BatchNormForwardInference(gx, ggamma, gbeta, grm, grv, 2e-5, gyi);
        AssertParity(yi, gyi, BatchNormTolerance, "inference y");
    }

    [TestCase(4, 6, 5, 7, false)]
    [TestCase(3, 8, 1, 40, false)]
    [TestCase(4, 6, 5, 7, true)]
    [TestCase(3, 8, 1, 40, true)]
    public void BatchNormReluTrainingAndBackward(int n, int c, int h, int w, bool withResidual)
    {
        var shape = new Shape(n, c, h, w);
        using var residual = withResidual ? CpuRandom(shape, 37, -2f, 2f) : null;
        using var gresidual = residual is null ? null : ToGpu(residual);
        using var x = CpuRandom(shape, 31, -3f, 5f);
        using var gamma = CpuRandom(new Shape(c), 32, 0.5f, 1.5f);
        using var beta = CpuRandom(new Shape(c), 33);
        using var runningMean = CpuRandom(new Shape(c), 34);
        using var runningVar = CpuRandom(new Shape(c), 35, 0.5f, 2f);
        using var dy = CpuRandom(shape, 36);
        using var gx = ToGpu(x);
        using var ggamma = ToGpu(gamma);
        using var gbeta = ToGpu(beta);
        using var grm = ToGpu(runningMean);
        using var grv = ToGpu(runningVar);
        using var gdy = ToGpu(dy);

        using var y = CpuEmpty(shape);
        using var gy = GpuEmpty(shape);
        using var saveMean = CpuEmpty(new Shape(c));
        using var saveInv = CpuEmpty(new Shape(c));
        using var gSaveMean = GpuEmpty(new Shape(c));
        using var gSaveInv = GpuEmpty(new Shape(c));
        Cpu.BatchNormReluForwardTraining(x, residual, gamma, beta, y, 0.1, runningMean, runningVar, 2e-5, saveMean, saveInv);
        Gpu.BatchNormReluForwardTraining(gx, gresidual, ggamma, gbeta, gy, 0.1, grm, grv, 2e-5, gSaveMean, gSaveInv);
        AssertParity(y, gy, BatchNormTolerance, "training y");
        AssertParity(saveMean, gSaveMean, BatchNormTolerance, "saved mean");
        AssertParity(saveInv, gSaveInv, BatchNormTolerance, "saved 1/std");
        AssertParity(runningVar, grv, BatchNormTolerance, "running variance (unbiased)");

        using var dx = CpuEmpty(shape);
        using var dgamma = CpuEmpty(new Shape(c));
        using var dbeta = CpuEmpty(new Shape(c));
        using var gdx = GpuEmpty(shape);
        using var gdgamma = GpuEmpty(new Shape(c));
        using var gdbeta = GpuEmpty(new Shape(c));
        using var dz = residual is null ? null : CpuEmpty(shape);
        using var gdz = residual is null ? null : GpuEmpty(shape);
        Cpu.BatchNormReluBackward(x, y, dy, gamma, saveMean, saveInv, dx, dz, dgamma, dbeta);
        Gpu.BatchNormReluBackward(gx, gy, gdy, ggamma, gSaveMean, gSaveInv, gdx, gdz, gdgamma, gdbeta);
        AssertParity(dx, gdx, BatchNormTolerance, "dx");
        AssertParity(dgamma, gdgamma, BatchNormTolerance, "dgamma");
        AssertParity(dbeta, gdbeta, BatchNormTolerance, "dbeta");
        if (dz is not null) AssertParity(dz, gdz!, BatchNormTolerance, "dz (the residual's gradient)");
    }

    public static IEnumerable<TestCaseData> PoolingCases()
    {
        yield return new TestCaseData(PoolingMode.Max, new PoolingGeometry(3, 3, 2, 2, 1, 1, true), new[] { 2, 3, 10, 9 }).SetName("max 3x3/2 cover-all (hangs over)");
        yield return new TestCaseData(PoolingMode.Max, new PoolingGeometry(3, 3, 2, 2, 1, 1, true), new[] { 2, 3, 9, 9 }).SetName("max 3x3/2 cover-all (tiles)");
        yield return new TestCaseData(PoolingMode.Max, new PoolingGeometry(1, 9, 1, 4, 0, 4, true), new[] { 2, 4, 1, 50 }).SetName("max 1x9/(1,4) cover-all");
        yield return new TestCaseData(PoolingMode.Max, new PoolingGeometry(2, 2, 2, 2, 0, 0, false), new[] { 1, 2, 7, 7 }).SetName("max 2x2/2 floor");
        yield return new TestCaseData(PoolingMode.AverageCountIncludePadding, PoolingGeometry.Global(5, 7), new[] { 3, 4, 5, 7 }).SetName("global average");
        yield return new TestCaseData(PoolingMode.AverageCountIncludePadding, new PoolingGeometry(3, 3, 2, 2, 1, 1, false), new[] { 2, 2, 8, 8 }).SetName("average 3x3/2 pad 1");
        yield return new TestCaseData(PoolingMode.AverageCountIncludePadding, new PoolingGeometry(3, 3, 2, 2, 1, 1, true), new[] { 2, 2, 8, 8 }).SetName("average 3x3/2 cover-all");
    }

    [TestCaseSource(nameof(PoolingCases))]
    public void PoolingForwardAndBackward(PoolingMode mode, PoolingGeometry geometry, int[] xShape)
    {
        // Quantized values make ties common, as after a ReLU: the tie rule must agree too.
        using var x = CpuRandom(xShape, 21, 0f, 4f);
        var xq = x.ToArray().Select(v => MathF.Floor(v) - 1f).Select(v => Math.Max(v, 0f)).ToArray();
        using var xt = CpuFrom(xq, xShape);
        var (oh, ow) = geometry.OutputShape(xShape[2], xShape[3]);
        var yShape = new Shape(xShape[0], xShape[1], oh, ow);
        using var gx = ToGpu(xt);
        using var y = CpuEmpty(yShape);
        using var gy = GpuEmpty(yShape);
        Cpu.PoolingForward(mode, geometry, xt, y);
        Gpu.PoolingForward(mode, geometry, gx, gy);
        AssertParity(y, gy, PoolingTolerance, $"{mode} forward");

        using var dy = CpuRandom(yShape, 22);
        using var gdy = ToGpu(dy);
        using var dx = CpuEmpty(xShape);
        using var gdx = GpuEmpty(xShape);
        Cpu.PoolingBackward(mode, geometry, xt, y, dy, dx);
        Gpu.PoolingBackward(mode, geometry, gx, gy, gdy, gdx);
        AssertParity(dx, gdx, PoolingTolerance, $"{mode} backward");
    }
}
