using DeepImpression.Core.Backends;
using DeepImpression.Core.Ops;
using DeepImpression.Core.Tensors;

namespace DeepImpression.Core.Tests.Ops;

/// <summary>Bad arguments give an exception whose message names the op and the shapes.</summary>
[TestFixture]
public class OpArgumentTests
{
    [Test]
    public void Conv2d_with_mismatched_channels_names_op_and_shapes()
    {
        var x = Tensor.Zeros(new Shape(1, 3, 8, 8));
        var w = Tensor.Zeros(new Shape(4, 2, 3, 3));
        var ex = Assert.Throws<ArgumentException>(() => Op.Conv2d(x, w, null, ConvolutionGeometry.Same(1, 1)));
        Assert.That(ex!.Message, Does.StartWith("Conv2d:").And.Contain("(1, 3, 8, 8)").And.Contain("(4, 2, 3, 3)"));
    }

    [Test]
    public void Wrong_rank_is_refused()
    {
        var ex = Assert.Throws<ArgumentException>(() => Op.MaxPool2d(Tensor.Zeros(new Shape(3, 8, 8)), new PoolingGeometry(3, 3, 2, 2, 1, 1, true)));
        Assert.That(ex!.Message, Does.StartWith("MaxPool2d:").And.Contain("rank 4").And.Contain("(3, 8, 8)"));
    }

    [Test]
    public void Add_with_different_shapes_names_both()
    {
        var ex = Assert.Throws<ArgumentException>(() => Op.Add(Tensor.Zeros(new Shape(2, 3)), Tensor.Zeros(new Shape(3, 2))));
        Assert.That(ex!.Message, Does.StartWith("Add:").And.Contain("(2, 3)").And.Contain("(3, 2)"));
    }

    [Test]
    public void Linear_with_wrong_features_is_refused()
    {
        var ex = Assert.Throws<ArgumentException>(() => Op.Linear(Tensor.Zeros(new Shape(2, 7)), Tensor.Zeros(new Shape(5, 6)), null));
        Assert.That(ex!.Message, Does.StartWith("Linear:").And.Contain("(2, 7)").And.Contain("(5, 6)"));
    }

    [Test]
    public void Tensors_on_different_devices_are_refused()
    {
        var elsewhere = FakeDevice.Tensor(new Shape(4, 3, 3, 3));
        var x = Tensor.Zeros(new Shape(1, 3, 8, 8));
        var ex = Assert.Throws<ArgumentException>(() => Op.Conv2d(x, elsewhere, null, ConvolutionGeometry.Same(1, 1)));
        Assert.That(ex!.Message, Does.StartWith("Conv2d:").And.Contain("different devices").And.Contain(FakeDevice.Device.ToString())
            .And.Contain("(1, 3, 8, 8)"));
    }

    [Test]
    public void Device_names_parse()
    {
        Assert.That(() => Device.Parse("cuda:x"), Throws.TypeOf<FormatException>());
        Assert.That(Device.Parse("cuda:1"), Is.EqualTo(Device.Cuda(1)));
        Assert.That(Device.Parse("CPU"), Is.EqualTo(Device.Cpu));
        Assert.That(Device.Parse("cuda"), Is.EqualTo(Device.Cuda(0)));
    }

    [Test]
    public void Concat_of_mismatched_shapes_names_them()
    {
        var ex = Assert.Throws<ArgumentException>(() => Op.Concat([Tensor.Zeros(new Shape(2, 3)), Tensor.Zeros(new Shape(3, 3))], 1));
        Assert.That(ex!.Message, Does.StartWith("Concat:").And.Contain("(2, 3)").And.Contain("(3, 3)"));
    }
}
