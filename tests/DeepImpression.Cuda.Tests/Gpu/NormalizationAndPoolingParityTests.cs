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

    /// <summary>The CPU and GPU copies of one set of batch-norm inputs.</summary>
    private sealed class NormInputs : IDisposable
    {
        public NormInputs(Shape shape, bool withResidual)
        {
            int c = shape[1];
            X = CpuRandom(shape, 11, -3f, 5f);
            Gamma = CpuRandom(new Shape(c), 12, 0.5f, 1.5f);
            Beta = CpuRandom(new Shape(c), 13);
            RunningMean = CpuRandom(new Shape(c), 14);
            RunningVariance = CpuRandom(new Shape(c), 15, 0.5f, 2f);
            Dy = CpuRandom(shape, 16);
            Residual = withResidual ? CpuRandom(shape, 17, -2f, 2f) : null;
            Gpu = [.. new[] { X, Gamma, Beta, RunningMean, RunningVariance, Dy }.Select(ToGpu)];
            GpuResidual = Residual is null ? null : ToGpu(Residual);
        }

        public Tensor X { get; }
        public Tensor Gamma { get; }
        public Tensor Beta { get; }
        public Tensor RunningMean { get; }
        public Tensor RunningVariance { get; }
        public Tensor Dy { get; }
        public Tensor? Residual { get; }
        /// <summary>x, gamma, beta, running mean, running variance, dy on the GPU.</summary>
        public Tensor[] Gpu { get; }
        public Tensor? GpuResidual { get; }

        public void Dispose()
        {
            foreach (var t in new[] { X, Gamma, Beta, RunningMean, RunningVariance, Dy, Residual, GpuResidual }.Concat(Gpu)) t?.Dispose();
        }
    }

    public static IEnumerable<TestCaseData> NormCases()
    {
        foreach (var (n, c, h, w) in new[] { (4, 6, 5, 7), (3, 8, 1, 40) })
            foreach (var mode in new[] { "plain", "relu", "add + relu" })
                yield return new TestCaseData(n, c, h, w, mode).SetArgDisplayNames($"({n},{c},{h},{w})", mode);
    }

    [TestCaseSource(nameof(NormCases))]
    public void BatchNormTrainingInferenceAndBackward(int n, int c, int h, int w, string mode)
    {
        var shape = new Shape(n, c, h, w);
        using var p = new NormInputs(shape, withResidual: mode == "add + relu");
        var (gx, ggamma, gbeta, grm, grv, gdy) = (p.Gpu[0], p.Gpu[1], p.Gpu[2], p.Gpu[3], p.Gpu[4], p.Gpu[5]);
        bool relu = mode != "plain";

        using var y = CpuEmpty(shape);
        using var gy = GpuEmpty(shape);
        using var saveMean = CpuEmpty(new Shape(c));
        using var saveInv = CpuEmpty(new Shape(c));
        using var gSaveMean = GpuEmpty(new Shape(c));
        using var gSaveInv = GpuEmpty(new Shape(c));
        if (relu)
        {
            Cpu.BatchNormReluForwardTraining(p.X, p.Residual, p.Gamma, p.Beta, y, 0.1, p.RunningMean, p.RunningVariance, 2e-5, saveMean, saveInv);
            Gpu.BatchNormReluForwardTraining(gx, p.GpuResidual, ggamma, gbeta, gy, 0.1, grm, grv, 2e-5, gSaveMean, gSaveInv);
        }
        else
        {
            Cpu.BatchNormForwardTraining(p.X, p.Gamma, p.Beta, y, 0.1, p.RunningMean, p.RunningVariance, 2e-5, saveMean, saveInv);
            Gpu.BatchNormForwardTraining(gx, ggamma, gbeta, gy, 0.1, grm, grv, 2e-5, gSaveMean, gSaveInv);
        }
        AssertParity(y, gy, BatchNormTolerance, "training y");
        AssertParity(saveMean, gSaveMean, BatchNormTolerance, "saved mean");
        AssertParity(saveInv, gSaveInv, BatchNormTolerance, "saved 1/std");
        AssertParity(p.RunningMean, grm, BatchNormTolerance, "running mean");
        AssertParity(p.RunningVariance, grv, BatchNormTolerance, "running variance (unbiased)");

        using var dx = CpuEmpty(shape);
        using var dgamma = CpuEmpty(new Shape(c));
        using var dbeta = CpuEmpty(new Shape(c));
        using var gdx = GpuEmpty(shape);
        using var gdgamma = GpuEmpty(new Shape(c));
        using var gdbeta = GpuEmpty(new Shape(c));
        using var dz = p.Residual is null ? null : CpuEmpty(shape);
        using var gdz = p.Residual is null ? null : GpuEmpty(shape);
        if (relu)
        {
            Cpu.BatchNormReluBackward(p.X, y, p.Dy, p.Gamma, saveMean, saveInv, dx, dz, dgamma, dbeta);
            Gpu.BatchNormReluBackward(gx, gy, gdy, ggamma, gSaveMean, gSaveInv, gdx, gdz, gdgamma, gdbeta);
        }
        else
        {
            Cpu.BatchNormBackward(p.X, p.Dy, p.Gamma, saveMean, saveInv, dx, dgamma, dbeta);
            Gpu.BatchNormBackward(gx, gdy, ggamma, gSaveMean, gSaveInv, gdx, gdgamma, gdbeta);
        }
        AssertParity(dx, gdx, BatchNormTolerance, "dx");
        AssertParity(dgamma, gdgamma, BatchNormTolerance, "dgamma");
        AssertParity(dbeta, gdbeta, BatchNormTolerance, "dbeta");
        if (dz is not null) AssertParity(dz, gdz!, BatchNormTolerance, "dz (the residual's gradient)");

        if (relu) return;
        using var yi = CpuEmpty(shape);
        using var gyi = GpuEmpty(shape);
        Cpu.BatchNormForwardInference(p.X, p.Gamma, p.Beta, p.RunningMean, p.RunningVariance, 2e-5, yi);
        Gpu.BatchNormForwardInference(gx, ggamma, gbeta, grm, grv, 2e-5, gyi);
        AssertParity(yi, gyi, BatchNormTolerance, "inference y");
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
