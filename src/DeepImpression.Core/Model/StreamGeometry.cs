using DeepImpression.Core.Backends;

namespace DeepImpression.Core.Model;

/// <summary>
/// What differs between the two 17-layer residual streams: input channels, the first convolution and pooling, and
/// the block kernel. The auditory stream works on (N,1,1,L) waveforms with 1-D kernels; the visual stream on
/// (N,3,H,W) frames with square kernels.
/// </summary>
public sealed record StreamGeometry(
    int InputChannels,
    (int H, int W) Conv1Kernel,
    ConvolutionGeometry Conv1,
    PoolingGeometry Pool1,
    (int H, int W) BlockKernel,
    (int H, int W) BlockPad,
    (int H, int W) DownsampleStride)
{
    /// <summary>Channel widths of the stages conv1/res2, res3, res4, res5.</summary>
    public static IReadOnlyList<int> StageWidths { get; } = [32, 64, 128, 256];

    /// <summary>The auditory stream: (N,1,1,L) waveforms, 1x49 stem with stride 4, 1x9 block kernels, downsampling by 4 along time.</summary>
    public static StreamGeometry Auditory { get; } = new(
        InputChannels: 1,
        Conv1Kernel: (1, 49),
        Conv1: new ConvolutionGeometry(1, 4, 0, 24),
        Pool1: new PoolingGeometry(1, 9, 1, 4, 0, 4, CoverAll: true),
        BlockKernel: (1, 9),
        BlockPad: (0, 4),
        DownsampleStride: (1, 4));

    /// <summary>The visual stream: (N,3,H,W) frames, 7x7 stem with stride 2, 3x3 block kernels, downsampling by 2.</summary>
    public static StreamGeometry Visual { get; } = new(
        InputChannels: 3,
        Conv1Kernel: (7, 7),
        Conv1: new ConvolutionGeometry(2, 2, 3, 3),
        Pool1: new PoolingGeometry(3, 3, 2, 2, 1, 1, CoverAll: true),
        BlockKernel: (3, 3),
        BlockPad: (1, 1),
        DownsampleStride: (2, 2));
}
