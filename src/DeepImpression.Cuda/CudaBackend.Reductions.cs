using DeepImpression.Core.Tensors;
using DeepImpression.Cuda.Kernels;
using DeepImpression.Cuda.Memory;

namespace DeepImpression.Cuda;

// Sums and the mean-absolute-error loss (reductions.cu): double-precision partial sums per block, then one block
// over the partials, so results are reproducible.
public sealed partial class CudaBackend
{
    /// <summary>Blocks of the first reduction pass: enough to fill the GPU, few enough for one finishing block.</summary>
    internal static int ReductionBlocks(long elements) =>
        (int)Math.Clamp((elements + KernelCatalog.ReduceThreads - 1) / KernelCatalog.ReduceThreads, 1, 1024);

    /// <inheritdoc />
    public void SumAxis(Tensor x, int axis, Tensor y)
    {
        if (axis < 0) axis += x.Rank;
        var (outer, inner) = AroundAxis(x.Shape, axis);
        Launch(KernelCatalog.SumAxis, (long)outer * inner, P(Address(x)), P(Address(y)), I(outer), I(x.Dim(axis)), I(inner));
    }

    /// <inheritdoc />
    public void Sum(Tensor x, Tensor y) => Reduce(x, null, y, 1.0);

    /// <inheritdoc />
    public void MeanAbsoluteError(Tensor prediction, Tensor target, Tensor loss) => Reduce(prediction, target, loss, prediction.Count);

    /// <inheritdoc />
    public void MeanAbsoluteErrorBackward(Tensor prediction, Tensor target, Tensor dLoss, Tensor dPrediction) =>
        Launch(KernelCatalog.MaeBackward, prediction.Count, P(Address(prediction)), P(Address(target)), P(Address(dLoss)),
            P(Address(dPrediction)), I(prediction.Count));

    /// <summary>output[0] = Σ x / divisor (or Σ |x − t| / divisor when a target is given), divided in double and
    /// rounded once, as the CPU does.</summary>
    private void Reduce(Tensor x, Tensor? target, Tensor output, double divisor)
    {
        if (x.Count == 0)
        {
            Fill(output, 0f);
            return;
        }
        int blocks = ReductionBlocks(x.Count);
        var partials = _allocator.Rent((long)blocks * sizeof(double));
        try
        {
            ulong px = Address(x);
            _kernels.Launch(KernelCatalog.ReducePartial, new LaunchConfiguration((uint)blocks, KernelCatalog.ReduceThreads), _stream,
                P(px), P(target is null ? px : Address(target)), I(x.Count), I(target is null ? 0 : 1), P(partials.Address));
            _kernels.Launch(KernelCatalog.ReduceFinish, new LaunchConfiguration(1, KernelCatalog.ReduceThreads), _stream,
                P(partials.Address), I(blocks), KernelArgument.Double(divisor), P(Address(output)));
        }
        finally
        {
            // Safe at once: whoever gets the block next queues behind these kernels on the same stream.
            _allocator.Return(partials);
        }
    }
}
