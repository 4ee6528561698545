using DeepImpression.Core.Backends.Cpu.Kernels;
using DeepImpression.Core.Tensors;

namespace DeepImpression.Core.Backends.Cpu;

public sealed partial class CpuBackend
{
    /// <inheritdoc />
    public unsafe void SumAxis(Tensor x, int axis, Tensor y)
    {
        if (axis < 0) axis += x.Rank;
        int length = x.Dim(axis);
        int outer = 1, inner = 1;
        for (int d = 0; d < axis; d++) outer *= x.Dim(d);
        for (int d = axis + 1; d < x.Rank; d++) inner *= x.Dim(d);
        float* src = Ptr(x), dst = Ptr(y);
        for (int o = 0; o < outer; o++)
        {
            float* slab = src + (long)o * length * inner;
            float* row = dst + (long)o * inner;
            if (inner == 1)
            {
                row[0] = (float)VectorMath.Sum(Isa, slab, length);
                continue;
            }
            if (length == 0)
            {
                new Span<float>(row, inner).Clear();
                continue;
            }
            new ReadOnlySpan<float>(slab, inner).CopyTo(new Span<float>(row, inner));
            for (int l = 1; l < length; l++) VectorMath.AddInPlace(Isa, slab + (long)l * inner, row, inner);
        }
    }

    /// <inheritdoc />
    public unsafe void Sum(Tensor x, Tensor y) => Data(y)[0] = (float)ReductionKernels.Sum(Ptr(x), x.Count);

    /// <inheritdoc />
    public void MeanAbsoluteError(Tensor prediction, Tensor target, Tensor loss)
    {
        var p = Data(prediction);
        var t = Data(target);
        double total = 0;
        for (int i = 0; i < p.Length; i++) total += Math.Abs((double)p[i] - t[i]);
        Data(loss)[0] = p.Length == 0 ? 0f : (float)(total / p.Length);
    }

    /// <inheritdoc />
    public void MeanAbsoluteErrorBackward(Tensor prediction, Tensor target, Tensor dLoss, Tensor dPrediction)
    {
        var p = Data(prediction);
        var t = Data(target);
        var d = Data(dPrediction);
        float step = Data(dLoss)[0] / Math.Max(1, p.Length);
        for (int i = 0; i < p.Length; i++)
        {
            float diff = p[i] - t[i];
            d[i] = diff > 0f ? step : diff < 0f ? -step : 0f;
        }
    }
}
