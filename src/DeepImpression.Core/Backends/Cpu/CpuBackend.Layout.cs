using DeepImpression.Core.Tensors;

namespace DeepImpression.Core.Backends.Cpu;

public sealed partial class CpuBackend
{
    /// <inheritdoc />
    public void Concat(IReadOnlyList<Tensor> inputs, int axis, Tensor y)
    {
        var (outer, yRow) = AxisLayout(y, axis);
        var dst = Data(y);
        int offset = 0;
        foreach (var x in inputs)
        {
            int row = x.Count / Math.Max(1, outer);
            var src = Data(x);
            for (int o = 0; o < outer; o++) src.Slice(o * row, row).CopyTo(dst.Slice(o * yRow + offset, row));
            offset += row;
        }
    }

    /// <inheritdoc />
    public void Split(Tensor x, int axis, IReadOnlyList<Tensor> outputs)
    {
        var (outer, xRow) = AxisLayout(x, axis);
        var src = Data(x);
        int offset = 0;
        foreach (var y in outputs)
        {
            int row = y.Count / Math.Max(1, outer);
            var dst = Data(y);
            for (int o = 0; o < outer; o++) src.Slice(o * xRow + offset, row).CopyTo(dst.Slice(o * row, row));
            offset += row;
        }
    }

    /// <summary>For a cut along <paramref name="axis"/>: how many independent slabs precede it, and each slab's length.</summary>
    private static (int Outer, int Row) AxisLayout(Tensor t, int axis)
    {
        if (axis < 0) axis += t.Rank;
        int outer = 1;
        for (int d = 0; d < axis; d++) outer *= t.Dim(d);
        return (outer, outer == 0 ? 0 : t.Count / outer);
    }
}
