namespace DeepImpression.Core.Backends;

/// <summary>
/// Stride and zero padding of a 2-D cross-correlation (cuDNN's convolution descriptor, no dilation, no groups).
/// The kernel size comes from the filter tensor (out, in, kh, kw). Output sizes round down.
/// </summary>
public readonly record struct ConvolutionGeometry(int StrideH, int StrideW, int PadH, int PadW)
{
    /// <summary>The same stride and padding along height and width.</summary>
    public static ConvolutionGeometry Same(int stride, int pad) => new(stride, stride, pad, pad);

    /// <summary>Output length along one axis: <c>floor((input + 2 pad - kernel) / stride) + 1</c>, or 0 when the kernel does not fit.</summary>
    public static int OutputSize(int input, int kernel, int stride, int pad)
    {
        int span = input + 2 * pad - kernel;
        return span < 0 ? 0 : span / stride + 1;
    }

    /// <summary>The output height and width for an input and kernel of the given sizes.</summary>
    public (int H, int W) OutputShape(int inH, int inW, int kernelH, int kernelW) =>
        (OutputSize(inH, kernelH, StrideH, PadH), OutputSize(inW, kernelW, StrideW, PadW));

    /// <summary>Stride and padding as <c>stride (h,w) pad (h,w)</c>, for plans and messages.</summary>
    public override string ToString() => $"stride ({StrideH},{StrideW}) pad ({PadH},{PadW})";
}
