using DeepImpression.Core.Ops;
using DeepImpression.Core.Tensors;

namespace DeepImpression.Core.Layers;

/// <summary>Fully connected layer: <c>W</c> (out, in), LeCun-normal as Chainer's default, and <c>b</c> (out), zero.</summary>
public sealed class Linear : Link
{
    public Linear(int inFeatures, int outFeatures, Rng rng, Device device) : base(device)
    {
        W = AddParameter("W", Persistent(() => Initializers.LeCunNormal(new Shape(outFeatures, inFeatures), rng, device)));
        B = AddParameter("b", Persistent(() => Tensor.Zeros(new Shape(outFeatures), device)));
    }

    public Tensor W { get; }
    public Tensor B { get; }
    public int InFeatures => W.Dim(1);
    public int OutFeatures => W.Dim(0);

    public Tensor Forward(Tensor x) => Op.Linear(x, W, B);
}
