using DeepImpression.Core.Backends;
using DeepImpression.Core.Tensors;
using DeepImpression.Cuda.Dnn;
using DeepImpression.Cuda.Interop;

namespace DeepImpression.Cuda.Tests.Gpu;

/// <summary>cuDNN convolutions against the CPU backend, on the kinds of shapes the network has. FP32 with sums of up
/// to a few hundred products in different orders: tolerance 1e-4 of the magnitude.</summary>
[TestFixture]
public class ConvolutionParityTests : GpuTestBase
{
    private const double Tolerance = 1e-4;

    public static IEnumerable<TestCaseData> Cases()
    {
        yield return new TestCaseData(new[] { 2, 3, 20, 18 }, new[] { 4, 3, 7, 7 }, new ConvolutionGeometry(2, 2, 3, 3)).SetName("visual conv1 7x7/2");
        yield return new TestCaseData(new[] { 2, 1, 1, 300 }, new[] { 4, 1, 1, 49 }, new ConvolutionGeometry(1, 4, 0, 24)).SetName("auditory conv1 1x49/(1,4)");
        yield return new TestCaseData(new[] { 3, 8, 9, 9 }, new[] { 8, 8, 3, 3 }, ConvolutionGeometry.Same(1, 1)).SetName("block 3x3/1");
        yield return new TestCaseData(new[] { 3, 8, 9, 9 }, new[] { 16, 8, 1, 1 }, ConvolutionGeometry.Same(2, 0)).SetName("shortcut 1x1/2");
        yield return new TestCaseData(new[] { 2, 8, 1, 37 }, new[] { 16, 8, 1, 9 }, new ConvolutionGeometry(1, 4, 0, 4)).SetName("auditory block 1x9/(1,4)");
    }

    [TestCaseSource(nameof(Cases))]
    public void ForwardWithAndWithoutBias(int[] xShape, int[] wShape, ConvolutionGeometry geometry)
    {
        using var x = CpuRandom(xShape, 1);
        using var w = CpuRandom(wShape, 2);
        using var b = CpuRandom(new Shape(wShape[0]), 3);
        var (oh, ow) = geometry.OutputShape(xShape[2], xShape[3], wShape[2], wShape[3]);
        var yShape = new Shape(xShape[0], wShape[0], oh, ow);
        using var gx = ToGpu(x);
        using var gw = ToGpu(w);
        using var gb = ToGpu(b);

        foreach (var withBias in new[] { false, true })
        {
            using var y = CpuEmpty(yShape);
            using var gy = GpuEmpty(yShape);
            Cpu.ConvolutionForward(x, w, withBias ? b : null, y, geometry);
            Gpu.ConvolutionForward(gx, gw, withBias ? gb : null, gy, geometry);
            AssertParity(y, gy, Tolerance, $"forward{(withBias ? " + bias" : "")}");
        }
    }

    [TestCaseSource(nameof(Cases))]
    public void BackwardDataFilterAndBias(int[] xShape, int[] wShape, ConvolutionGeometry geometry)
    {
        var (oh, ow) = geometry.OutputShape(xShape[2], xShape[3], wShape[2], wShape[3]);
        var yShape = new Shape(xShape[0], wShape[0], oh, ow);
        using var x = CpuRandom(xShape, 4);
        using var w = CpuRandom(wShape, 5);
        using var dy = CpuRandom(yShape, 6);
        using var gx = ToGpu(x);
        using var gw = ToGpu(w);
        using var gdy = ToGpu(dy);

        using var dx = CpuEmpty(xShape);
        using var gdx = GpuEmpty(xShape);
        Cpu.ConvolutionBackwardData(w, dy, dx, geometry);
        Gpu.ConvolutionBackwardData(gw, gdy, gdx, geometry);
        AssertParity(dx, gdx, Tolerance, "backward data");

        using var dw = CpuEmpty(wShape);
        using var gdw = GpuEmpty(wShape);
        Cpu.ConvolutionBackwardFilter(x, dy, dw, geometry);
        Gpu.ConvolutionBackwardFilter(gx, gdy, gdw, geometry);
        AssertParity(dw, gdw, Tolerance, "backward filter");

        using var db = CpuEmpty(new Shape(wShape[0]));
        using var gdb = GpuEmpty(new Shape(wShape[0]));
        Cpu.ConvolutionBackwardBias(dy, db);
        Gpu.ConvolutionBackwardBias(gdy, gdb);
        AssertParity(db, gdb, Tolerance, "backward bias");
    }

    [TestCaseSource(nameof(Cases))]
    public void CuDnnAgreesWithOurOutputSize(int[] xShape, int[] wShape, ConvolutionGeometry geometry)
    {
        using var descriptors = new CuDnnDescriptors();
        var input = descriptors.Tensor(0, new TensorDescriptorShape(xShape[0], xShape[1], xShape[2], xShape[3]));
        var filter = descriptors.Filter(new TensorDescriptorShape(wShape[0], wShape[1], wShape[2], wShape[3]));
        var convolution = descriptors.Convolution(geometry, CuDnnMathType.Fma);
        CuDnn.Check(CuDnn.cudnnGetConvolution2dForwardOutputDim(convolution, input, filter, out var n, out var c, out var h, out var w),
            "cudnnGetConvolution2dForwardOutputDim");
        var (oh, ow) = geometry.OutputShape(xShape[2], xShape[3], wShape[2], wShape[3]);
        Assert.That(new[] { n, c, h, w }, Is.EqualTo(new[] { xShape[0], wShape[0], oh, ow }));
    }

    [Test]
    public void StridedBatchedGemmMatchesANaiveProduct()
    {
        const int batch = 3, m = 4, n = 5, k = 6;
        using var a = CpuRandom(new Shape(batch, k, m), 9);   // transposed: op(a[i]) is (m, k)
        using var b = CpuRandom(new Shape(batch, k, n), 10);
        using var gc = GpuEmpty(new Shape(batch, m, n));
        Gpu.BatchedGemm(true, false, 2f, ToGpu(a), ToGpu(b), 0f, gc);
        float[] av = a.ToArray(), bv = b.ToArray(), cv = gc.ToArray();
        var expected = new float[cv.Length];
        for (int i = 0; i < batch; i++)
            for (int r = 0; r < m; r++)
                for (int col = 0; col < n; col++)
                {
                    double sum = 0;
                    for (int p = 0; p < k; p++) sum += (double)av[(i * k + p) * m + r] * bv[(i * k + p) * n + col];
                    expected[(i * m + r) * n + col] = (float)(2 * sum);
                }
        AssertParity(expected, cv, 1e-5, "strided batched gemm");
    }

    [Test]
    public void AlgorithmsAreSearchedOncePerShapeAndTheSteadyStateAllocatesNothing()
    {
        var geometry = ConvolutionGeometry.Same(1, 1);
        using var gx = ToGpu(CpuRandom(new Shape(2, 4, 11, 13), 7));
        using var gw = ToGpu(CpuRandom(new Shape(6, 4, 3, 3), 8));
        using var gy = GpuEmpty(new Shape(2, 6, 11, 13));
        Gpu.ConvolutionForward(gx, gw, null, gy, geometry);
        int cached = Gpu.ConvolutionAlgorithmsCached;
        for (int i = 0; i < 3; i++)
        {
            using var scope = TensorScope.Begin();
            var y = GpuEmpty(new Shape(2, 6, 11, 13));
            Gpu.ConvolutionForward(gx, gw, null, y, geometry);
        }
        long allocations = Gpu.DriverAllocations;
        for (int i = 0; i < 5; i++)
        {
            using var scope = TensorScope.Begin();
            var y = GpuEmpty(new Shape(2, 6, 11, 13));
            Gpu.ConvolutionForward(gx, gw, null, y, geometry);
        }
        Gpu.Synchronize();
        Assert.That(Gpu.ConvolutionAlgorithmsCached, Is.EqualTo(cached), "same shape: no new search");
        Assert.That(Gpu.DriverAllocations, Is.EqualTo(allocations), "steady state: no cuMemAlloc");
    }
}
