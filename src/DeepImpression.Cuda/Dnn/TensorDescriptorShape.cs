using DeepImpression.Core.Tensors;

namespace DeepImpression.Cuda.Dnn;

/// <summary>The packed NCHW dimensions a tensor is described to cuDNN with.</summary>
internal readonly record struct TensorDescriptorShape(int N, int C, int H, int W)
{
    public long Count => (long)N * C * H * W;

    /// <summary>A feature map: (N,C,H,W) as is; (N,C) as (N,C,1,1), the shape of a fully connected layer's output.</summary>
    public static TensorDescriptorShape FeatureMap(Shape shape) => shape.Rank switch
    {
        4 => new(shape[0], shape[1], shape[2], shape[3]),
        2 => new(shape[0], shape[1], 1, 1),
        _ => throw new ArgumentException($"cuDNN needs a (N,C,H,W) or (N,C) tensor, not {shape}."),
    };

    /// <summary>Per-channel parameters (gamma, beta, biases, statistics) of C channels, broadcast as (1,C,1,1).</summary>
    public static TensorDescriptorShape PerChannel(int channels) => new(1, channels, 1, 1);

    /// <summary>Any tensor for an element-wise operation, as (first dimension, the rest, 1, 1); the way Chainer
    /// handed arrays of any rank to cuDNN's activation functions.</summary>
    public static TensorDescriptorShape Elementwise(Shape shape)
    {
        if (shape.Rank == 0 || shape.Count == 0) return new(1, Math.Max(shape.Count, 1), 1, 1);
        return new(shape[0], shape.Count / shape[0], 1, 1);
    }

    public override string ToString() => $"({N},{C},{H},{W})";
}
