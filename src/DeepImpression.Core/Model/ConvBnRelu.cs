using DeepImpression.Core.Backends;
using DeepImpression.Core.Layers;
using DeepImpression.Core.Ops;
using DeepImpression.Core.Tensors;

namespace DeepImpression.Core.Model;

/// <summary>The stem <c>conv1_relu</c>: <c>conv</c> -> <c>bn_conv</c> -> ReLU.</summary>
public sealed class ConvBnRelu : Link
{
    /// <summary>A stem of <see cref="Conv2d"/> (<paramref name="kernel"/>, <paramref name="geometry"/>) from <paramref name="inChannels"/> to <paramref name="outChannels"/> channels, then batch norm and ReLU.</summary>
    public ConvBnRelu(int inChannels, int outChannels, (int H, int W) kernel, ConvolutionGeometry geometry, Rng rng, Device device)
        : base(device)
    {
        Conv = AddChild("conv", new Conv2d(inChannels, outChannels, kernel, geometry, rng, device));
        Bn = AddChild("bn_conv", new BatchNorm2d(outChannels, device));
    }

    /// <summary>The convolution (<c>conv</c>).</summary>
    public Conv2d Conv { get; }
    /// <summary>The batch normalization (<c>bn_conv</c>).</summary>
    public BatchNorm2d Bn { get; }

    /// <summary>ReLU(batchnorm(conv(x))).</summary>
    public Tensor Forward(Tensor x) => Bn.ForwardRelu(Conv.Forward(x));
}
