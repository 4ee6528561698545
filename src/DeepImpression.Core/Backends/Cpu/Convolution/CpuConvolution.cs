using System.Collections.Concurrent;
using DeepImpression.Core.Backends.Cpu.Kernels;

namespace DeepImpression.Core.Backends.Cpu.Convolution;

/// <summary>
/// The CPU backend's convolutions: each call looks up (or makes, once) the <see cref="ConvolutionPlan"/> of its shapes
/// and batch and runs the algorithms it names. The algorithms share one idea: a convolution as one GEMM over the whole
/// batch, y (K x Q) = W · lowered(x), with the output positions of every image as columns q = n·OH·OW + p, the
/// lowered matrix never materialised; or, for 3x3 and 1x9 stride-1 kernels, Winograd's transform of it.
/// </summary>
internal sealed unsafe class CpuConvolution(CpuContext context, ConvolutionOverride choice)
{
    private readonly ConcurrentDictionary<(ConvShape, int), ConvolutionPlan> _plans = new();

    /// <summary>The plan for this shape and batch on this backend (made once, then looked up). The directions below
    /// take the algorithm to run from it (tests name one directly).</summary>
    public ConvolutionPlan Plan(in ConvShape s, int n) =>
        _plans.GetOrAdd((s, n), key => ConvolutionPlanner.Plan(key.Item1, key.Item2, context.Isa, choice));

    // ---- Forward ------------------------------------------------------------------------------------------

    /// <summary><paramref name="reserve"/>: where the forward keeps what the filter gradient of the same x reads
    /// (<see cref="ConvolutionPlan.ReserveFloats"/> floats), or null.</summary>
    public void Forward(ForwardAlgorithm algorithm, in ConvShape s, int n, float* x, float* w, ConvolutionEpilogue epilogue, float* y, float* reserve)
    {
        if (n == 0 || s.OutputPlane == 0 || s.K == 0) return;
        context.Workers.Serial(1, new ForwardCall(context, algorithm, s, n, x, w, epilogue, y, reserve));
    }

    private sealed class ForwardCall(CpuContext context, ForwardAlgorithm algorithm, ConvShape s, int n, float* x, float* w,
        ConvolutionEpilogue epilogue, float* y, float* reserve) : IParallelBody
    {
        public void Execute(int index, int worker)
        {
            if (algorithm == ForwardAlgorithm.Reference)
            {
                ReferenceConvolution.Forward(context, s, n, x, w, epilogue, y);
                return;
            }
            if (algorithm == ForwardAlgorithm.Winograd)
            {
                WinogradConvolution.Forward(context, s, n, w, transposed: false, x, epilogue, y, worker);
                return;
            }
            var filter = context.Gemm.Pack(StridedSource.ForA(context.Isa, MatrixView.RowMajor(w, s.Patch), 1f), s.K, s.Patch,
                context.Scratch(ConvolutionScratch.PackedFilter, worker).Get(Sgemm.PackedSize(context.Isa, s.K, s.Patch)));
            ForwardPacked(context, algorithm, s, n, filter, x, epilogue, y, worker, reserve);
        }
    }

    /// <summary>The forward algorithms that take the filter packed (by the caller: the filter, or the flipped filter of a
    /// transposed convolution).</summary>
    private static void ForwardPacked(CpuContext context, ForwardAlgorithm algorithm, in ConvShape s, int n, PackedA filter, float* x,
        ConvolutionEpilogue epilogue, float* y, int worker, float* reserve)
    {
        switch (algorithm)
        {
            case ForwardAlgorithm.Indirect: IndirectForward.Forward(context, s, n, filter, x, epilogue, y, worker, reserve); break;
            case ForwardAlgorithm.Pointwise: PointwiseForward.Forward(context, s, n, filter, x, epilogue, y); break;
            case ForwardAlgorithm.WholeBatchPhaseGrid: WholeBatchForward.Forward(context, true, s, n, filter, x, epilogue, y, worker, reserve); break;
            case ForwardAlgorithm.WholeBatchLowered: WholeBatchForward.Forward(context, false, s, n, filter, x, epilogue, y, worker, null); break;
            case ForwardAlgorithm.Lowered: LoweredForward.Forward(context, s, n, filter, x, epilogue, y); break;
            default: throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "not a forward algorithm over a packed filter");
        }
    }

    // ---- Backward data ------------------------------------------------------------------------------------

    public void BackwardData(DataGradientAlgorithm algorithm, in ConvShape s, int n, float* w, float* dy, float* dx)
    {
        if (n == 0) return;
        if (s.OutputPlane == 0 || s.K == 0)
        {
            new Span<float>(dx, n * s.C * s.InputPlane).Clear();
            return;
        }
        context.Workers.Serial(1, new BackwardDataCall(context, algorithm, s, n, w, dy, dx));
    }

    private sealed class BackwardDataCall(CpuContext context, DataGradientAlgorithm algorithm, ConvShape s, int n, float* w, float* dy, float* dx)
        : IParallelBody
    {
        public void Execute(int index, int worker)
        {
            switch (algorithm)
            {
                case DataGradientAlgorithm.Reference: ReferenceConvolution.BackwardData(context, s, n, w, dy, dx); return;
                case DataGradientAlgorithm.PointwiseTransposed: PointwiseDataGradient.BackwardData(context, s, n, w, dy, dx, worker); return;
                case DataGradientAlgorithm.LoweredScatter: LoweredScatterDataGradient.BackwardData(context, s, n, w, dy, dx, worker); return;
                case DataGradientAlgorithm.Winograd:
                    WinogradConvolution.Forward(context, s.Transposed, n, w, transposed: true, dy, ConvolutionEpilogue.None, dx, worker);
                    return;
            }
            var forward = algorithm switch
            {
                DataGradientAlgorithm.TransposedIndirect => ForwardAlgorithm.Indirect,
                DataGradientAlgorithm.TransposedLowered => ForwardAlgorithm.Lowered,
                DataGradientAlgorithm.TransposedWholeBatchPhaseGrid => ForwardAlgorithm.WholeBatchPhaseGrid,
                DataGradientAlgorithm.TransposedWholeBatchLowered => ForwardAlgorithm.WholeBatchLowered,
                _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "unknown data-gradient algorithm"),
            };
            var flipped = context.Gemm.Pack(new FlippedFilterSource(w, s.C, s.KH * s.KW), s.C, s.K * s.KH * s.KW,
                context.Scratch(ConvolutionScratch.PackedFilter, worker).Get(Sgemm.PackedSize(context.Isa, s.C, s.K * s.KH * s.KW)));
            ForwardPacked(context, forward, s.Transposed, n, flipped, dy, ConvolutionEpilogue.None, dx, worker, null);
        }
    }

    // ---- Backward filter ----------------------------------------------------------------------------------

    /// <summary><paramref name="reserve"/>: the reserve the forward of this x filled, or null to build what the algorithm reads here.</summary>
    public void BackwardFilter(FilterGradientAlgorithm algorithm, in ConvShape s, int n, float* x, float* dy, float* dw, float* reserve)
    {
        long filter = (long)s.K * s.Patch;
        if (n == 0 || s.OutputPlane == 0 || filter == 0)
        {
            new Span<float>(dw, (int)filter).Clear();
            return;
        }
        context.Workers.Serial(1, new BackwardFilterCall(context, algorithm, s, n, x, dy, dw, reserve));
    }

    private sealed class BackwardFilterCall(CpuContext context, FilterGradientAlgorithm algorithm, ConvShape s, int n, float* x, float* dy,
        float* dw, float* reserve) : IParallelBody
    {
        public void Execute(int index, int worker)
        {
            switch (algorithm)
            {
                case FilterGradientAlgorithm.Reference: ReferenceConvolution.BackwardFilter(context, s, n, x, dy, dw); break;
                case FilterGradientAlgorithm.DotsOverLoweredRows: DotFilterGradient.BackwardFilter(context, false, s, n, x, dy, dw, worker, null); break;
                case FilterGradientAlgorithm.DotsOverPhaseGrid: DotFilterGradient.BackwardFilter(context, true, s, n, x, dy, dw, worker, reserve); break;
                case FilterGradientAlgorithm.GemmOverPhaseGrid: GemmFilterGradient.BackwardFilter(context, true, s, n, x, dy, dw, worker, reserve); break;
                case FilterGradientAlgorithm.GemmOverLoweredRows: GemmFilterGradient.BackwardFilter(context, false, s, n, x, dy, dw, worker, null); break;
                case FilterGradientAlgorithm.Winograd: WinogradFilterGradient.BackwardFilter(context, s, n, x, dy, dw, worker); break;
                default: throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "unknown filter-gradient algorithm");
            }
        }
    }
}
