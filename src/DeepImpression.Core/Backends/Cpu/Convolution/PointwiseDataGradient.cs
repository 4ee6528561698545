using DeepImpression.Core.Backends.Cpu.Kernels;

namespace DeepImpression.Core.Backends.Cpu.Convolution;

/// <summary><see cref="DataGradientAlgorithm.PointwiseTransposed"/>: the input gradient of a 1x1, stride-1 convolution
/// is Wᵀ · dy, one product over the batch's gradient planes.</summary>
internal static unsafe class PointwiseDataGradient
{

    public static void BackwardData(CpuContext context, in ConvShape s, int n, float* w, float* dy, float* dx, int worker)
    {
        var filterT = context.Gemm.Pack(StridedSource.ForA(context.Isa, MatrixView.Transposed(w, s.Patch), 1f), s.Patch, s.K,
            context.Scratch(ConvolutionScratch.PackedFilter, worker).Get(Sgemm.PackedSize(context.Isa, s.Patch, s.K)));
        BatchedProduct.Run(context, filterT, new BatchedPlanesSource(dy, s.K, s.OutputPlane, 0), n, s.OutputPlane, dx, ConvolutionEpilogue.None);
    }
}
