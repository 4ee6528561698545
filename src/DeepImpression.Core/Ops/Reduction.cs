using DeepImpression.Core.Autograd;
using DeepImpression.Core.Tensors;

namespace DeepImpression.Core.Ops;

public static partial class Op
{
    /// <summary>Σ of all elements, as a one-element tensor of shape (1).</summary>
    public static Tensor Sum(Tensor x)
    {
        var y = Tensor.Empty(new Shape(1), x.Device);
        x.Backend.Sum(x, y);
        return Backprop.Record(y, "Sum", [x], dy => [Broadcast(dy, x.Shape, 1f)]);
    }

    /// <summary>Mean of all elements, shape (1).</summary>
    public static Tensor Mean(Tensor x)
    {
        var y = Tensor.Empty(new Shape(1), x.Device);
        x.Backend.Sum(x, y);
        x.Backend.Affine(y, 1f / x.Count, 0f, y);
        return Backprop.Record(y, "Mean", [x], dy => [Broadcast(dy, x.Shape, 1f / x.Count)]);
    }

    /// <summary>Mean along <paramref name="axis"/>, which is removed: (F,256) averaged over axis 0 gives (256).</summary>
    public static Tensor MeanAxis(Tensor x, int axis)
    {
        if (axis < 0) axis += x.Rank;
        Check.That(axis >= 0 && axis < x.Rank, "MeanAxis", () => $"axis {axis} is out of range for {x.Shape}.");
        var kept = x.Shape.With(axis, 1);
        var y = Tensor.Empty(kept, x.Device);
        x.Backend.SumAxis(x, axis, y);
        x.Backend.Affine(y, 1f / x.Dim(axis), 0f, y);
        var dims = x.Shape.ToArray().Where((_, i) => i != axis).ToArray();
        var result = Reshape(Backprop.Record(y, "MeanAxis", [x], dy =>
        {
            // Repeat dy along the axis (a concat of copies), scaled by 1/n.
            int n = x.Dim(axis);
            var scaled = Tensor.Empty(dy.Shape, dy.Device);
            dy.Backend.Affine(dy, 1f / n, 0f, scaled);
            var dx = Tensor.Empty(x.Shape, x.Device);
            dy.Backend.Concat(Enumerable.Repeat(scaled, n).ToArray(), axis, dx);
            scaled.Dispose();
            return [dx];
        }), new Shape(dims));
        return result;
    }

    // A tensor of the given shape filled with scale·dy[0], where dy holds one value (on any device).
    private static Tensor Broadcast(Tensor dy, Shape shape, float scale)
    {
        // dx = ones · dy[0] · scale as a rank-1 GEMM, so that dy never leaves its device.
        var dx = Tensor.Empty(shape, dy.Device);
        using var ones = Tensor.Ones(new Shape(shape.Count, 1), dy.Device);
        using var dyMatrix = dy.View(new Shape(1, 1));
        using var dxColumn = dx.View(new Shape(shape.Count, 1));
        dy.Backend.Gemm(false, false, scale, ones, dyMatrix, 0f, dxColumn);
        return dx;
    }
}
