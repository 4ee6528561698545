using DeepImpression.Core.Backends;
using DeepImpression.Core.Ops;
using DeepImpression.Core.Tensors;

namespace DeepImpression.Core.Layers;

/// <summary>2-D convolution with bias: parameters <c>W</c> (out, in, kh, kw), He-normal, and <c>b</c> (out), zero.</summary>
public sealed class Conv2d : Link
{
    public Conv2d(int inChannels, int outChannels, (int H, int W) kernel, ConvolutionGeometry geometry, Rng rng, Device device)
        : base(device)
    {
        Geometry = geometry;
        W = AddParameter("W", Persistent(() => Initializers.HeNormal(new Shape(outChannels, inChannels, kernel.H, kernel.W), rng, device)));
        B = AddParameter("b", Persistent(() => Tensor.Zeros(new Shape(outChannels), device)));
    }

    public Tensor W { get; }
    public Tensor B { get; }
    public ConvolutionGeometry Geometry { get; }
    public int InChannels => W.Dim(1);
    public int OutChannels => W.Dim(0);
    public (int H, int W) Kernel => (W.Dim(2), W.Dim(3));

    public Tensor Forward(Tensor x) => Op.Conv2d(x, W, B, Geometry);

    /// <summary>Multiply-adds of one forward pass over an output of <paramref name="outH"/> x <paramref name="outW"/> (bias excluded).</summary>
    public long MultiplyAdds(int outH, int outW) => (long)OutChannels * InChannels * Kernel.H * Kernel.W * outH * outW;
}
