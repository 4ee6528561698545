using DeepImpression.Core.Ops;
using DeepImpression.Core.Tensors;

namespace DeepImpression.Core.Layers;

/// <summary>Fully connected layer: <c>W</c> (out, in), LeCun-normal as Chainer's default, and <c>b</c> (out), zero.</summary>
public sealed class Linear : Link
{
    /// <summary>A fully connected layer from <paramref name="inFeatures"/> to <paramref name="outFeatures"/>, initialized from <paramref name="rng"/> on <paramref name="device"/>.</summary>
    public Linear(int inFeatures, int outFeatures, Rng rng, Device device) : base(device)
    {
        W = AddParameter("W", Persistent(() => Initializers.LeCunNormal(new Shape(outFeatures, inFeatures), rng, device)));
        B = AddParameter("b", Persistent(() => Tensor.Zeros(new Shape(outFeatures), device)));
    }

    /// <summary>Weights (out, in), trainable.</summary>
    public Tensor W { get; }
    /// <summary>Bias (out), trainable.</summary>
    public Tensor B { get; }
    /// <summary>Width of the input.</summary>
    public int InFeatures => W.Dim(1);
    /// <summary>Width of the output.</summary>
    public int OutFeatures => W.Dim(0);

    /// <summary>(N, in) -> (N, out): x·Wᵀ + b.</summary>
    public Tensor Forward(Tensor x) => Op.Linear(x, W, B);
}
