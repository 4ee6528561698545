using DeepImpression.Core.Backends.Cpu.Kernels;

namespace DeepImpression.Core.Backends.Cpu.Convolution;

/// <summary>
/// What a forward algorithm does to each output as it stores it: y = act(conv + bias[k] (+ z)), the residual z read at
/// the output's own position (cuDNN's ConvolutionBiasActivationForward). The training forward uses the bias alone;
/// the test-time path, batch norm folded into the filter, also the residual and the ReLU, so that no intermediate is
/// written and read again. Each step rounds as when done one after another.
/// </summary>
internal readonly unsafe struct ConvolutionEpilogue(float* bias, float* residual, bool relu, float* y)
{
    /// <summary>Bias only (or nothing, when <paramref name="bias"/> is null).</summary>
    public static ConvolutionEpilogue Bias(float* bias) => new(bias, null, false, null);

    /// <summary>Nothing: the product as it is (a data gradient's transposed convolution).</summary>
    public static ConvolutionEpilogue None => default;

    /// <summary>True when storing is a plain copy.</summary>
    public bool IsIdentity => bias == null && residual == null && !relu;

    /// <summary>dst[0..count) = act(src[i] + bias[k] (+ z at dst's position)); src may be dst.</summary>
    public void Store(SimdLevel level, float* src, float* dst, int count, int k)
    {
        float shift = bias == null ? 0f : bias[k];
        if (residual != null)
        {
            float* z = residual + (dst - y);
            if (relu) VectorMath.ScaleShiftAdd<ReluOp>(level, src, z, dst, count, 1f, shift);
            else VectorMath.ScaleShiftAdd<IdentityOp>(level, src, z, dst, count, 1f, shift);
        }
        else if (relu) VectorMath.ScaleShift<ReluOp>(level, src, dst, count, 1f, shift);
        else VectorMath.ScaleShift(level, src, dst, count, 1f, shift);
    }
}
