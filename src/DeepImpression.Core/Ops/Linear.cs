using DeepImpression.Core.Autograd;
using DeepImpression.Core.Tensors;

namespace DeepImpression.Core.Ops;

public static partial class Op
{
    /// <summary>y = x·Wᵀ + b: x (N,in), w (out,in), bias (out) or null -> (N,out).</summary>
    public static Tensor Linear(Tensor x, Tensor w, Tensor? bias)
    {
        const string op = "Linear";
        Check.Rank(op, "input", x, 2);
        Check.Rank(op, "weight", w, 2);
        Check.SameDevice(op, x, w, bias);
        Check.That(x.Dim(1) == w.Dim(1), op, () => $"input {x.Shape} has {x.Dim(1)} features but weight {w.Shape} expects {w.Dim(1)}.");
        if (bias is not null)
            Check.That(bias.Rank == 1 && bias.Dim(0) == w.Dim(0), op, () => $"bias {bias.Shape} does not match weight {w.Shape}.");

        var y = Tensor.Empty(new Shape(x.Dim(0), w.Dim(0)), x.Device);
        x.Backend.Gemm(false, true, 1f, x, w, 0f, y);
        if (bias is not null) x.Backend.BiasAdd(y, bias);
        Tensor[] inputs = bias is null ? [x, w] : [x, w, bias];
        return Backprop.Record(y, op, inputs, dy =>
        {
            Tensor? dx = null, dw = null, db = null;
            if (x.TracksGradient)
            {
                dx = Tensor.Empty(x.Shape, x.Device);
                x.Backend.Gemm(false, false, 1f, dy, w, 0f, dx);
            }
            if (w.TracksGradient)
            {
                dw = Tensor.Empty(w.Shape, w.Device);
                x.Backend.Gemm(true, false, 1f, dy, x, 0f, dw);
            }
            if (bias is not null && bias.TracksGradient)
            {
                db = Tensor.Empty(bias.Shape, bias.Device);
                x.Backend.ConvolutionBackwardBias(dy, db);
            }
            return bias is null ? [dx, dw] : [dx, dw, db];
        });
    }
}
