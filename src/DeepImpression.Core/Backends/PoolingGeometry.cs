namespace DeepImpression.Core.Backends;

/// <summary>How a pooling window reduces its cells.</summary>
public enum PoolingMode
{
    /// <summary>The largest cell of the window.</summary>
    Max,
    /// <summary>Average whose divisor counts padded cells (Chainer's average_pooling_2d, cuDNN's COUNT_INCLUDE_PADDING).</summary>
    AverageCountIncludePadding,
}

/// <summary>
/// Window, stride and padding of a 2-D pooling. With <see cref="CoverAll"/> the output size rounds up
/// (Chainer's default: <c>ceil((in + 2 pad - k) / stride) + 1</c>), so the last window may hang over the padded
/// edge; cells outside the input never win a max and are never counted.
/// </summary>
public readonly record struct PoolingGeometry(int KernelH, int KernelW, int StrideH, int StrideW, int PadH, int PadW, bool CoverAll)
{
    /// <summary>One window covering a whole <paramref name="h"/> × <paramref name="w"/> plane (global pooling).</summary>
    public static PoolingGeometry Global(int h, int w) => new(h, w, 1, 1, 0, 0, false);

    /// <summary>Output length along one axis, rounding up with <paramref name="coverAll"/> and down without; 0 when the window does not fit.</summary>
    public static int OutputSize(int input, int kernel, int stride, int pad, bool coverAll)
    {
        int span = input + 2 * pad - kernel;
        if (span < 0) return 0;
        return coverAll ? (span + stride - 1) / stride + 1 : span / stride + 1;
    }

    /// <summary>The output height and width for an input of the given size.</summary>
    public (int H, int W) OutputShape(int inH, int inW) =>
        (OutputSize(inH, KernelH, StrideH, PadH, CoverAll), OutputSize(inW, KernelW, StrideW, PadW, CoverAll));

    /// <summary>Window, stride, padding and cover-all, for messages.</summary>
    public override string ToString() =>
        $"kernel ({KernelH},{KernelW}) stride ({StrideH},{StrideW}) pad ({PadH},{PadW}){(CoverAll ? " cover-all" : "")}";
}
