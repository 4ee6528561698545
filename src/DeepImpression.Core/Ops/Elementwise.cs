using DeepImpression.Core.Autograd;
using DeepImpression.Core.Tensors;

namespace DeepImpression.Core.Ops;

public static partial class Op
{
    /// <summary>a + b, same shapes.</summary>
    public static Tensor Add(Tensor a, Tensor b)
    {
        const string op = "Add";
        Check.SameShape(op, a, b);
        Check.SameDevice(op, a, b);
        var y = Tensor.Empty(a.Shape, a.Device);
        a.Backend.Add(a, b, y);
        // The incoming gradient passes to both inputs unchanged; the tape never modifies a gradient in place.
        return Backprop.Record(y, op, [a, b], dy => [dy, dy]);
    }

    /// <summary>scale·x + shift.</summary>
    public static Tensor Affine(Tensor x, float scale, float shift)
    {
        var y = Tensor.Empty(x.Shape, x.Device);
        x.Backend.Affine(x, scale, shift, y);
        return Backprop.Record(y, "Affine", [x], dy =>
        {
            var dx = Tensor.Empty(x.Shape, x.Device);
            x.Backend.Affine(dy, scale, 0f, dx);
            return [dx];
        });
    }

    /// <summary>scale·x.</summary>
    public static Tensor Scale(Tensor x, float scale) => Affine(x, scale, 0f);
}
