using DeepImpression.Core.Autograd;
using DeepImpression.Core.Backends;
using DeepImpression.Core.Tensors;

namespace DeepImpression.Core.Ops;

public static partial class Op
{
    /// <summary>Max pooling; with <see cref="PoolingGeometry.CoverAll"/> the output size rounds up as in the original.</summary>
    public static Tensor MaxPool2d(Tensor x, PoolingGeometry geometry) => Pool("MaxPool2d", PoolingMode.Max, x, geometry);

    /// <summary>Average pooling whose divisor counts padded cells (Chainer's average_pooling_2d); (N,C,H,W) -> (N,C,OH,OW).</summary>
    public static Tensor AveragePool2d(Tensor x, PoolingGeometry geometry) =>
        Pool("AveragePool2d", PoolingMode.AverageCountIncludePadding, x, geometry);

    /// <summary>Mean over H and W: (N,C,H,W) -> (N,C).</summary>
    public static Tensor GlobalAveragePool(Tensor x)
    {
        Check.Rank("GlobalAveragePool", "input", x, 4);
        var pooled = AveragePool2d(x, PoolingGeometry.Global(x.Dim(2), x.Dim(3)));
        return Reshape(pooled, new Shape(x.Dim(0), x.Dim(1)));
    }

    private static Tensor Pool(string op, PoolingMode mode, Tensor x, PoolingGeometry g)
    {
        Check.Rank(op, "input", x, 4);
        Check.That(g.KernelH > 0 && g.KernelW > 0 && g.StrideH > 0 && g.StrideW > 0 && g.PadH >= 0 && g.PadW >= 0
                   && g.PadH < g.KernelH && g.PadW < g.KernelW, op, () => $"invalid {g}.");
        var (oh, ow) = g.OutputShape(x.Dim(2), x.Dim(3));
        Check.That(oh > 0 && ow > 0, op, () => $"input {x.Shape} is smaller than the window, {g}.");
        var y = Tensor.Empty(new Shape(x.Dim(0), x.Dim(1), oh, ow), x.Device);
        x.Backend.PoolingForward(mode, g, x, y);
        return Backprop.Record(y, op, [x], dy =>
        {
            var dx = Tensor.Empty(x.Shape, x.Device);
            x.Backend.PoolingBackward(mode, g, x, y, dy, dx);
            return [dx];
        });
    }
}
