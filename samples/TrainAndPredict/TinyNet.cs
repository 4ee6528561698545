using DeepImpression.Core.Backends;
using DeepImpression.Core.Layers;
using DeepImpression.Core.Ops;
using DeepImpression.Core.Tensors;

/// <summary>
/// A small network built from the library's links: a 3x3 convolution, batch norm with ReLU, global average pooling
/// and a linear layer to five outputs. A link holds its parameters under a path (<c>conv/W</c>, <c>bn/gamma</c>, ...),
/// which is what a checkpoint stores.
/// </summary>
internal sealed class TinyNet : Link
{
    private readonly Conv2d _conv;
    private readonly BatchNorm2d _bn;
    private readonly Linear _fc;

    public TinyNet(Device device, ulong seed) : base(device)
    {
        var rng = new Rng(seed);
        _conv = AddChild("conv", new Conv2d(3, 8, (3, 3), ConvolutionGeometry.Same(stride: 1, pad: 1), rng, device));
        _bn = AddChild("bn", new BatchNorm2d(8, device));
        _fc = AddChild("fc", new Linear(8, 5, rng, device));
    }

    public Tensor Forward(Tensor images) => _fc.Forward(Op.GlobalAveragePool(_bn.ForwardRelu(_conv.Forward(images))));
}
