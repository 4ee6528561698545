using DeepImpression.Core.Backends;
using DeepImpression.Core.Tensors;
using DeepImpression.Cuda.Dnn;
using DeepImpression.Cuda.Interop;
using DeepImpression.Cuda.Tests.Parity;

namespace DeepImpression.Cuda.Tests.Gpu;

/// <summary>cuDNN itself: its output sizes, the plan's searches, deterministic repeats, and the batched product.</summary>
public class ConvolutionPlanOnGpuTests : GpuTestBase
{
    [TestCase(20, 18, 7, 7, 2, 2, 3, 3)]
    [TestCase(1, 300, 1, 49, 1, 4, 0, 24)]
    [TestCase(9, 9, 3, 3, 1, 1, 1, 1)]
    [TestCase(9, 9, 1, 1, 2, 2, 0, 0)]
    public void CuDnnAgreesWithOurOutputSize(int h, int w, int kh, int kw, int sh, int sw, int ph, int pw)
    {
        var geometry = new ConvolutionGeometry(sh, sw, ph, pw);
        using var descriptors = new CuDnnDescriptors();
        var input = descriptors.Tensor(0, new TensorDescriptorShape(2, 3, h, w));
        var filter = descriptors.Filter(new TensorDescriptorShape(4, 3, kh, kw));
        var convolution = descriptors.Convolution(geometry, CuDnnMathType.Fma);
        CuDnn.Check(CuDnn.cudnnGetConvolution2dForwardOutputDim(convolution, input, filter, out var n, out var c, out var oh, out var ow),
            "cudnnGetConvolution2dForwardOutputDim");
        var (eh, ew) = geometry.OutputShape(h, w, kh, kw);
        Assert.That(new[] { n, c, oh, ow }, Is.EqualTo(new[] { 2, 4, eh, ew }));
    }

    [Test]
    public void OneSearchPerShapeAndDirectionWhateverTheBatchSizeAndTheSteadyStateAllocatesNothing()
    {
        var geometry = ConvolutionGeometry.Same(1, 1);
        using var gw = ToGpu(CpuRandom(new Shape(6, 4, 3, 3), 8));
        int before = Gpu.ConvolutionSearches;
        foreach (int n in new[] { 5, 3, 5, 1 })
        {
            using var scope = TensorScope.Begin();
            var gx = ToGpu(CpuRandom(new Shape(n, 4, 11, 13), 7));
            Gpu.ConvolutionForward(gx, gw, null, GpuEmpty(new Shape(n, 6, 11, 13)), geometry);
        }
        Assert.That(Gpu.ConvolutionSearches - before, Is.LessThanOrEqualTo(2), "one search for (4,11,13)*(6,4,3,3), a second only where cuDNN refuses a batch size");
        long allocations = Gpu.DriverAllocations;
        for (int i = 0; i < 5; i++)
        {
            using var scope = TensorScope.Begin();
            var gx = ToGpu(CpuRandom(new Shape(5, 4, 11, 13), 7));
            Gpu.ConvolutionForward(gx, gw, null, GpuEmpty(new Shape(5, 6, 11, 13)), geometry);
        }
        Gpu.Synchronize();
        Assert.That(Gpu.DriverAllocations, Is.EqualTo(allocations), "steady state: no cuMemAlloc");
        Console.WriteLine(Gpu.DescribeConvolutionPlan());
    }

    [Test]
    public void InDeterministicModeEveryChoiceIsDeterministicAndRepeatsGiveTheSameBits()
    {
        Assert.That(Gpu.Options.Deterministic, Is.True);
        var geometry = ConvolutionGeometry.Same(2, 1);
        using var x = ToGpu(CpuRandom(new Shape(8, 16, 28, 28), 1));
        using var w = ToGpu(CpuRandom(new Shape(32, 16, 3, 3), 2));
        using var dy = ToGpu(CpuRandom(new Shape(8, 32, 14, 14), 3));
        float[][] Run()
        {
            using var y = GpuEmpty(new Shape(8, 32, 14, 14));
            using var dx = GpuEmpty(x.Shape);
            using var dw = GpuEmpty(w.Shape);
            Gpu.ConvolutionForward(x, w, null, y, geometry);
            Gpu.ConvolutionBackwardData(w, dy, dx, geometry);
            Gpu.ConvolutionBackwardFilter(x, dy, dw, geometry);
            return [y.ToArray(), dx.ToArray(), dw.ToArray()];
        }
        var first = Run();
        var second = Run();
        for (int i = 0; i < first.Length; i++) ParityAssert.Exact(second[i], first[i], $"repeat of output {i}");
        var plan = Gpu.DescribeConvolutionPlan();
        Console.WriteLine(plan);
        Assert.That(plan, Does.Contain("first deterministic algorithm in the fixed order"));
    }

    [Test]
    public void StridedBatchedGemmIsWithinTheDotProductBound()
    {
        const int batch = 3, m = 4, n = 5, k = 6;
        using var a = CpuRandom(new Shape(batch, k, m), 9);   // transposed: op(a[i]) is (m, k)
        using var b = CpuRandom(new Shape(batch, k, n), 10);
        using var gc = GpuEmpty(new Shape(batch, m, n));
        Gpu.BatchedGemm(true, false, 2f, ToGpu(a), ToGpu(b), 0f, gc);
        float[] av = a.ToArray(), bv = b.ToArray();
        var expected = new double[batch * m * n];
        var bound = new double[expected.Length];
        for (int i = 0; i < batch; i++)
            for (int r = 0; r < m; r++)
                for (int col = 0; col < n; col++)
                {
                    double sum = 0, magnitude = 0;
                    for (int p = 0; p < k; p++)
                    {
                        double term = (double)av[(i * k + p) * m + r] * bv[(i * k + p) * n + col];
                        sum += term;
                        magnitude += Math.Abs(term);
                    }
                    expected[(i * m + r) * n + col] = 2 * sum;
                    bound[(i * m + r) * n + col] = ErrorBound.Gamma(k + 1) * 2 * magnitude;
                }
        ParityAssert.Within(gc.ToArray(), expected, bound, "strided batched gemm");
    }
}
