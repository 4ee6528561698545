using DeepImpression.Core.Backends;
using DeepImpression.Core.Tensors;
using DeepImpression.Cuda.Dnn;
using DeepImpression.Cuda.Interop;

namespace DeepImpression.Cuda.Tests.HostSide;

[TestFixture]
public class DnnArithmeticTests
{
    [Test]
    public void TensorsAreDescribedAsPackedNchw()
    {
        Assert.That(TensorDescriptorShape.FeatureMap(new Shape(32, 3, 224, 224)), Is.EqualTo(new TensorDescriptorShape(32, 3, 224, 224)));
        Assert.That(TensorDescriptorShape.FeatureMap(new Shape(32, 512)), Is.EqualTo(new TensorDescriptorShape(32, 512, 1, 1)));
        Assert.That(TensorDescriptorShape.PerChannel(64), Is.EqualTo(new TensorDescriptorShape(1, 64, 1, 1)));
        Assert.That(TensorDescriptorShape.Elementwise(new Shape(8, 32, 1, 50)), Is.EqualTo(new TensorDescriptorShape(8, 1600, 1, 1)));
        Assert.That(TensorDescriptorShape.Elementwise(new Shape(5)), Is.EqualTo(new TensorDescriptorShape(5, 1, 1, 1)));
        Assert.That(TensorDescriptorShape.Elementwise(new Shape()), Is.EqualTo(new TensorDescriptorShape(1, 1, 1, 1)));
        Assert.Throws<ArgumentException>(() => TensorDescriptorShape.FeatureMap(new Shape(2, 3, 4)));
    }

    [Test]
    public void TheConvolutionKeyImpliesTheOutputShapeRoundingDown()
    {
        // The auditory conv1: (1,49) kernel, stride (1,4), pad (0,24) on 50,176 samples -> 12,544.
        var key = new ConvolutionKey(ConvolutionDirection.Forward, new(32, 1, 1, 50176), new(32, 1, 1, 49), new ConvolutionGeometry(1, 4, 0, 24), false);
        Assert.That(key.Output, Is.EqualTo(new TensorDescriptorShape(32, 32, 1, 12544)));
        var visual = new ConvolutionKey(ConvolutionDirection.Forward, new(32, 3, 224, 224), new(32, 3, 7, 7), ConvolutionGeometry.Same(2, 3), false);
        Assert.That(visual.Output, Is.EqualTo(new TensorDescriptorShape(32, 32, 112, 112)));
    }

    [Test]
    public void MaxPoolingAlwaysUsesOurKernelAndAveragePoolingUsesCuDnnUnlessCoverAllChangesTheSize()
    {
        var visualPool = new PoolingGeometry(3, 3, 2, 2, 1, 1, CoverAll: true);
        Assert.That(PoolingPlan.Choose(PoolingMode.Max, visualPool, 112, 112), Is.EqualTo(PoolingImplementation.MaxKernel));
        Assert.That(PoolingPlan.Choose(PoolingMode.Max, visualPool with { CoverAll = false }, 112, 112), Is.EqualTo(PoolingImplementation.MaxKernel));
        Assert.That(PoolingPlan.Choose(PoolingMode.AverageCountIncludePadding, PoolingGeometry.Global(7, 7), 7, 7), Is.EqualTo(PoolingImplementation.CuDnnAverage));
        // 112 + 2 - 3 = 111 is odd: cover-all gives 57 windows where rounding down gives 56.
        Assert.That(PoolingPlan.Choose(PoolingMode.AverageCountIncludePadding, visualPool, 112, 112), Is.EqualTo(PoolingImplementation.AverageKernel));
        // 113 + 2 - 3 = 112 is even: both give 57, so cuDNN computes the same thing.
        Assert.That(PoolingPlan.Choose(PoolingMode.AverageCountIncludePadding, visualPool, 113, 113), Is.EqualTo(PoolingImplementation.CuDnnAverage));
    }

    [Test]
    public void TheSearchWorkspaceIsTheLimitOrHalfTheFreeMemoryInWholeMiB()
    {
        Assert.That(WorkspacePolicy.SearchLimit(512L << 20, 80L << 30), Is.EqualTo(512L << 20));
        Assert.That(WorkspacePolicy.SearchLimit(512L << 20, 300L << 20), Is.EqualTo(150L << 20));
        Assert.That(WorkspacePolicy.SearchLimit(512L << 20, (3L << 20) + 5), Is.EqualTo(1L << 20));
        Assert.That(WorkspacePolicy.SearchLimit(512L << 20, -1), Is.Zero);
        Assert.That(WorkspacePolicy.GrowTo(0), Is.Zero);
        Assert.That(WorkspacePolicy.GrowTo(1), Is.EqualTo(1L << 20));
        Assert.That(WorkspacePolicy.GrowTo((1L << 20) + 1), Is.EqualTo(2L << 20));
    }

    private static CuDnnAlgorithmPerformance Result(int algorithm, int status, long workspace, CuDnnMathType math, float ms) =>
        new() { Algorithm = algorithm, Status = status, WorkspaceBytes = (nuint)workspace, MathType = math, Milliseconds = ms };

    [Test]
    public void TheFastestSucceededAlgorithmWithinTheLimitAndInTheAllowedMathIsPicked()
    {
        CuDnnAlgorithmPerformance[] results =
        [
            Result(6, 0, 10 << 20, CuDnnMathType.TensorOp, 0.1f),   // TF32: only when allowed
            Result(7, 9, 0, CuDnnMathType.Fma, 0.2f),               // failed
            Result(5, 0, 900 << 20, CuDnnMathType.Fma, 0.3f),       // over the limit
            Result(1, 0, 4 << 20, CuDnnMathType.Fma, 0.4f),
            Result(0, 0, 0, CuDnnMathType.Fma, 0.9f),
        ];
        Assert.That(ConvolutionChoice.Pick(results, 512 << 20, allowTf32: false, "test"), Is.EqualTo(new ConvolutionChoice(1, 4 << 20, CuDnnMathType.Fma)));
        Assert.That(ConvolutionChoice.Pick(results, 512 << 20, allowTf32: true, "test"), Is.EqualTo(new ConvolutionChoice(6, 10 << 20, CuDnnMathType.TensorOp)));
        Assert.That(ConvolutionChoice.Pick(results, 1 << 20, allowTf32: false, "test").Algorithm, Is.EqualTo(0));
    }

    [Test]
    public void PlainDefaultMathIsAcceptedWhenNoFmaResultExistsButRunsAsFma()
    {
        CuDnnAlgorithmPerformance[] results = [Result(2, 0, 0, CuDnnMathType.TensorOp, 0.1f), Result(3, 0, 0, CuDnnMathType.Default, 0.2f)];
        Assert.That(ConvolutionChoice.Pick(results, 0, allowTf32: false, "test"), Is.EqualTo(new ConvolutionChoice(3, 0, CuDnnMathType.Fma)));
    }

    [Test]
    public void NoUsableAlgorithmIsAnErrorNamingTheConvolution()
    {
        CuDnnAlgorithmPerformance[] results = [Result(2, 3000, 0, CuDnnMathType.Fma, 0.1f)];
        var e = Assert.Throws<InvalidOperationException>(() => ConvolutionChoice.Pick(results, 1 << 20, false, "convolution forward (1,2,3,4)"))!;
        Assert.That(e.Message, Does.Contain("convolution forward (1,2,3,4)").And.Contain("1 MiB"));
    }

    [Test]
    public void TheAlgorithmCacheSearchesOncePerDistinctShapeGeometryDirectionAndMathMode()
    {
        var cache = new ConvolutionAlgorithmCache();
        int calls = 0;
        ConvolutionChoice Find(ConvolutionKey k) => new(++calls, 0, CuDnnMathType.Fma);
        var key = new ConvolutionKey(ConvolutionDirection.Forward, new(32, 32, 56, 56), new(32, 32, 3, 3), ConvolutionGeometry.Same(1, 1), false);

        var first = cache.GetOrFind(key, Find);
        for (int i = 0; i < 10; i++) Assert.That(cache.GetOrFind(key with { }, Find), Is.EqualTo(first));
        Assert.That(calls, Is.EqualTo(1));

        cache.GetOrFind(key with { Direction = ConvolutionDirection.BackwardData }, Find);
        cache.GetOrFind(key with { Geometry = ConvolutionGeometry.Same(2, 1) }, Find);
        cache.GetOrFind(key with { Input = new(16, 32, 56, 56) }, Find);
        cache.GetOrFind(key with { AllowTf32 = true }, Find);
        Assert.That(calls, Is.EqualTo(5));
        Assert.That(cache.Count, Is.EqualTo(5));
        Assert.That(cache.Searches, Is.EqualTo(5));
    }
}
