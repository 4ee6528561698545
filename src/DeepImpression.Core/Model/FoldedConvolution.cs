using DeepImpression.Core.Backends;
using DeepImpression.Core.Layers;
using DeepImpression.Core.Ops;
using DeepImpression.Core.Tensors;

namespace DeepImpression.Core.Model;

/// <summary>
/// A convolution with the evaluation-mode batch norm after it folded in: BN(x ⋆ W + b) = x ⋆ W' + b' with
/// W'[k] = s_k·W[k], b'[k] = s_k·(b_k − μ_k) + β_k and s_k = γ_k / sqrt(σ²_k + ε), computed in double from the
/// running statistics and rounded once. Its tensors are its own (outside any <see cref="TensorScope"/>).
/// </summary>
internal sealed class FoldedConvolution : IDisposable
{
    private FoldedConvolution(Tensor w, Tensor b, ConvolutionGeometry geometry) => (W, B, Geometry) = (w, b, geometry);

    public Tensor W { get; }
    public Tensor B { get; }
    public ConvolutionGeometry Geometry { get; }

    public static FoldedConvolution Of(Conv2d conv, BatchNorm2d bn)
    {
        var w = conv.W.ToArray();
        var b = conv.B.ToArray();
        var (gamma, beta, mean, variance) = (bn.Gamma.ToArray(), bn.Beta.ToArray(), bn.AverageMean.ToArray(), bn.AverageVariance.ToArray());
        int k = conv.OutChannels, perFilter = w.Length / k;
        var folded = new float[w.Length];
        var bias = new float[k];
        for (int o = 0; o < k; o++)
        {
            double scale = gamma[o] / Math.Sqrt(variance[o] + bn.Epsilon);
            for (int i = 0; i < perFilter; i++) folded[o * perFilter + i] = (float)(w[o * perFilter + i] * scale);
            bias[o] = (float)((b[o] - (double)mean[o]) * scale + beta[o]);
        }
        using (TensorScope.Suspend())
            return new FoldedConvolution(Tensor.FromArray(folded, conv.W.Shape, conv.Device), Tensor.FromArray(bias, conv.B.Shape, conv.Device),
                conv.Geometry);
    }

    /// <summary>act(x ⋆ W' + b' (+ residual)), act ReLU or the identity, in one pass (<see cref="Op.Conv2dBiasActivation"/>).</summary>
    public Tensor Forward(Tensor x, Tensor? residual, bool relu) => Op.Conv2dBiasActivation(x, W, B, residual, relu, Geometry);

    public void Dispose()
    {
        W.Dispose();
        B.Dispose();
    }
}
