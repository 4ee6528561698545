using DeepImpression.Core.Autograd;
using DeepImpression.Core.Backends;
using DeepImpression.Core.Tensors;

namespace DeepImpression.Core.Ops;

public static partial class Op
{
    /// <summary>2-D cross-correlation: x (N,C,H,W), w (K,C,kh,kw), bias (K) or null -> (N,K,OH,OW).</summary>
    public static Tensor Conv2d(Tensor x, Tensor w, Tensor? bias, ConvolutionGeometry geometry)
    {
        const string op = "Conv2d";
        Check.Rank(op, "input", x, 4);
        Check.Rank(op, "weight", w, 4);
        Check.SameDevice(op, x, w, bias);
        Check.That(x.Dim(1) == w.Dim(1), op, () => $"input {x.Shape} has {x.Dim(1)} channels but weight {w.Shape} expects {w.Dim(1)}.");
        if (bias is not null)
            Check.That(bias.Rank == 1 && bias.Dim(0) == w.Dim(0), op, () => $"bias {bias.Shape} does not match weight {w.Shape}.");
        Check.That(geometry.StrideH > 0 && geometry.StrideW > 0 && geometry.PadH >= 0 && geometry.PadW >= 0, op, () => $"invalid {geometry}.");
        var (oh, ow) = geometry.OutputShape(x.Dim(2), x.Dim(3), w.Dim(2), w.Dim(3));
        Check.That(oh > 0 && ow > 0, op, () => $"input {x.Shape} is smaller than kernel {w.Shape} with {geometry}.");

        var y = Tensor.Empty(new Shape(x.Dim(0), w.Dim(0), oh, ow), x.Device);
        Tensor[] inputs = bias is null ? [x, w] : [x, w, bias];
        // Training: the backend may keep, for the filter gradient, what its forward builds anyway.
        long reserveSize = w.TracksGradient && Backprop.ShouldRecord(inputs) ? x.Backend.ConvolutionReserveSize(x.Shape, w.Shape, geometry) : 0;
        var reserve = reserveSize > 0 ? Tensor.Empty(new Shape(checked((int)reserveSize)), x.Device) : null;
        x.Backend.ConvolutionForward(x, w, bias, y, geometry, reserve);
        return Backprop.Record(y, op, inputs, dy =>
        {
            Tensor? dx = null, dw = null, db = null;
            if (x.TracksGradient)
            {
                dx = Tensor.Empty(x.Shape, x.Device);
                x.Backend.ConvolutionBackwardData(w, dy, dx, geometry);
            }
            if (w.TracksGradient)
            {
                dw = Tensor.Empty(w.Shape, w.Device);
                x.Backend.ConvolutionBackwardFilter(x, dy, dw, geometry, reserve);
            }
            // Freed as soon as it has served (a second backward over the same graph builds its own).
            reserve?.Dispose();
            reserve = null;
            if (bias is not null && bias.TracksGradient)
            {
                db = Tensor.Empty(bias.Shape, bias.Device);
                x.Backend.ConvolutionBackwardBias(dy, db);
            }
            return bias is null ? [dx, dw] : [dx, dw, db];
        });
    }
}
