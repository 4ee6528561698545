namespace DeepImpression.Core.Backends;

/// <summary>
/// Stride and zero padding of a 2-D cross-correlation (cuDNN's convolution descriptor, no dilation, no groups).
/// The kernel size comes from the filter tensor (out, in, kh, kw). Output sizes round down.
/// </summary>
public readonly record struct ConvolutionGeometry(int StrideH, int StrideW, int PadH, int PadW)
{
    public static ConvolutionGeometry Same(int stride, int pad) => new(stride, stride, pad, pad);

    public static int OutputSize(int input, int kernel, int stride, int pad)
    {
        int span = input + 2 * pad - kernel;
        return span < 0 ? 0 : span / stride + 1;
    }

    public (int H, int W) OutputShape(int inH, int inW, int kernelH, int kernelW) =>
        (OutputSize(inH, kernelH, StrideH, PadH), OutputSize(inW, kernelW, StrideW, PadW));

    public override string ToString() => $"stride ({StrideH},{StrideW}) pad ({PadH},{PadW})";
}
