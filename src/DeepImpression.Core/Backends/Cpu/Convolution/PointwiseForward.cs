using DeepImpression.Core.Backends.Cpu.Kernels;

namespace DeepImpression.Core.Backends.Cpu.Convolution;

/// <summary><see cref="ForwardAlgorithm.Pointwise"/>: a 1x1, stride-1, unpadded convolution is the product of the
/// filter with the input planes as they are (they already are the lowered matrix).</summary>
internal static unsafe class PointwiseForward
{
    public static void Forward(CpuContext context, in ConvShape s, int n, PackedA filter, float* x, ConvolutionEpilogue epilogue, float* y) =>
        BatchedProduct.Run(context, filter, new BatchedPlanesSource(x, s.C, s.InputPlane, 0), n, s.OutputPlane, y, epilogue);
}
