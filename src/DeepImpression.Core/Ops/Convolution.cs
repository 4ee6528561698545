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
        var (oh, ow) = CheckConvolution(op, x, w, bias, geometry);
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

    /// <summary>
    /// y = act(x ⋆ w + bias (+ residual)) with act ReLU or the identity: a test-time layer, batch norm already folded
    /// into w and bias (<see cref="Model.FoldedConvolution"/>), with nothing written between the convolution and its
    /// output. Not differentiable: call it under <see cref="Backprop.NoGrad"/>.
    /// </summary>
    public static Tensor Conv2dBiasActivation(Tensor x, Tensor w, Tensor bias, Tensor? residual, bool relu, ConvolutionGeometry geometry)
    {
        const string op = "Conv2dBiasActivation";
        var (oh, ow) = CheckConvolution(op, x, w, bias, geometry);
        var shape = new Shape(x.Dim(0), w.Dim(0), oh, ow);
        if (residual is not null)
        {
            Check.SameDevice(op, x, residual);
            Check.That(residual.Shape == shape, op, () => $"residual {residual.Shape} does not match the output {shape}.");
        }
        if (Backprop.ShouldRecord([x, w, bias, residual]))
            throw new InvalidOperationException($"{op}: the fused test-time convolution has no gradient; run it under Backprop.NoGrad().");
        var y = Tensor.Empty(shape, x.Device);
        x.Backend.ConvolutionBiasActivationForward(x, w, bias, residual, relu, y, geometry);
        return y;
    }

    /// <summary>Checks a convolution's arguments; returns the output's height and width.</summary>
    private static (int OH, int OW) CheckConvolution(string op, Tensor x, Tensor w, Tensor? bias, ConvolutionGeometry geometry)
    {
        Check.Rank(op, "input", x, 4);
        Check.Rank(op, "weight", w, 4);
        Check.SameDevice(op, x, w, bias);
        Check.That(x.Dim(1) == w.Dim(1), op, () => $"input {x.Shape} has {x.Dim(1)} channels but weight {w.Shape} expects {w.Dim(1)}.");
        if (bias is not null)
            Check.That(bias.Rank == 1 && bias.Dim(0) == w.Dim(0), op, () => $"bias {bias.Shape} does not match weight {w.Shape}.");
        Check.That(geometry.StrideH > 0 && geometry.StrideW > 0 && geometry.PadH >= 0 && geometry.PadW >= 0, op, () => $"invalid {geometry}.");
        var (oh, ow) = geometry.OutputShape(x.Dim(2), x.Dim(3), w.Dim(2), w.Dim(3));
        Check.That(oh > 0 && ow > 0, op, () => $"input {x.Shape} is smaller than kernel {w.Shape} with {geometry}.");
        return (oh, ow);
    }
}
