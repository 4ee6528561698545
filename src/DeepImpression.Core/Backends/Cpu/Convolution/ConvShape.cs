namespace DeepImpression.Core.Backends.Cpu.Convolution;

/// <summary>
/// The shape of one convolution as the kernels see it: one image's input plane stack (C, H, W), the filter's
/// (K, C, kh, kw), the output (K, OH, OW), stride and padding.
/// </summary>
internal readonly record struct ConvShape(int C, int H, int W, int K, int KH, int KW, int OH, int OW,
    int StrideH, int StrideW, int PadH, int PadW)
{
    /// <summary>Rows of the lowered matrix: one per (channel, kernel row, kernel column).</summary>
    public int Patch => C * KH * KW;

    public int InputPlane => H * W;
    public int OutputPlane => OH * OW;

    /// <summary>A 1x1, stride-1, unpadded convolution: the input already is the lowered matrix.</summary>
    public bool IsPointwise => KH == 1 && KW == 1 && StrideH == 1 && StrideW == 1 && PadH == 0 && PadW == 0;

    /// <summary>Whether the input gradient is itself a convolution (<see cref="Transposed"/>): stride 1, padding
    /// smaller than the kernel, and not pointwise (whose gradient is a plain product).</summary>
    public bool HasTransposed => StrideH == 1 && StrideW == 1 && !IsPointwise && PadH < KH && PadW < KW;

    /// <summary>The convolution whose forward is this one's input gradient (stride 1): of dy, padded by k − 1 − p,
    /// with the filter turned 180° and its two channel axes swapped.</summary>
    public ConvShape Transposed => new(K, OH, OW, C, KH, KW, H, W, 1, 1, KH - 1 - PadH, KW - 1 - PadW);

    public override string ToString() =>
        $"x(C {C}, {H}x{W}) w({K}, {KH}x{KW}) stride ({StrideH},{StrideW}) pad ({PadH},{PadW})";
}
