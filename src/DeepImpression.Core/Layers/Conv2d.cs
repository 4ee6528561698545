using DeepImpression.Core.Backends;
using DeepImpression.Core.Ops;
using DeepImpression.Core.Tensors;

namespace DeepImpression.Core.Layers;

/// <summary>2-D convolution with bias: parameters <c>W</c> (out, in, kh, kw), He-normal, and <c>b</c> (out), zero.</summary>
public sealed class Conv2d : Link
{
    /// <summary>A convolution from <paramref name="inChannels"/> to <paramref name="outChannels"/> channels.</summary>
    /// <param name="inChannels">Channels of the input.</param>
    /// <param name="outChannels">Channels of the output (number of filters).</param>
    /// <param name="kernel">Filter height and width.</param>
    /// <param name="geometry">Stride and zero padding.</param>
    /// <param name="rng">Source of the He-normal initial weights.</param>
    /// <param name="device">Where the parameters live.</param>
    public Conv2d(int inChannels, int outChannels, (int H, int W) kernel, ConvolutionGeometry geometry, Rng rng, Device device)
        : base(device)
    {
        Geometry = geometry;
        W = AddParameter("W", Persistent(() => Initializers.HeNormal(new Shape(outChannels, inChannels, kernel.H, kernel.W), rng, device)));
        B = AddParameter("b", Persistent(() => Tensor.Zeros(new Shape(outChannels), device)));
    }

    /// <summary>Filters (out, in, kh, kw), trainable.</summary>
    public Tensor W { get; }
    /// <summary>Bias per output channel, trainable.</summary>
    public Tensor B { get; }
    /// <summary>Stride and zero padding.</summary>
    public ConvolutionGeometry Geometry { get; }
    /// <summary>Channels of the input.</summary>
    public int InChannels => W.Dim(1);
    /// <summary>Channels of the output.</summary>
    public int OutChannels => W.Dim(0);
    /// <summary>Filter height and width.</summary>
    public (int H, int W) Kernel => (W.Dim(2), W.Dim(3));

    /// <summary>(N, in, H, W) -> (N, out, OH, OW): cross-correlation with <see cref="W"/> plus <see cref="B"/>.</summary>
    public Tensor Forward(Tensor x) => Op.Conv2d(x, W, B, Geometry);

    /// <summary>Multiply-adds of one forward pass over an output of <paramref name="outH"/> x <paramref name="outW"/> (bias excluded).</summary>
    public long MultiplyAdds(int outH, int outW) => (long)OutChannels * InChannels * Kernel.H * Kernel.W * outH * outW;
}
