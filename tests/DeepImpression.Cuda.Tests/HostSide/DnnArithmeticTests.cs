using DeepImpression.Core.Backends;
using DeepImpression.Core.Tensors;
using DeepImpression.Cuda.Dnn;

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
}
