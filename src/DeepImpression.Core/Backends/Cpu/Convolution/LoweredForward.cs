using DeepImpression.Core.Backends.Cpu.Kernels;

namespace DeepImpression.Core.Backends.Cpu.Convolution;

/// <summary><see cref="ForwardAlgorithm.Lowered"/>: y = W · lowered(x) over the batch, the lowered (im2col) panels
/// packed straight from the input piece by piece, so that the lowered matrix is never materialised.</summary>
internal static unsafe class LoweredForward
{
    public static void Forward(CpuContext context, in ConvShape s, int n, PackedA filter, float* x, ConvolutionEpilogue epilogue, float* y) =>
        BatchedProduct.Run(context, filter, new Im2ColSource(context.Isa, s, x, 0), n, s.OutputPlane, y, epilogue);
}
