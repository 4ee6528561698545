using DeepImpression.Core.Backends.Cpu.Convolution;
using DeepImpression.Core.Backends.Cpu.Kernels;
using DeepImpression.Core.Tensors;

namespace DeepImpression.Core.Backends.Cpu;

public sealed partial class CpuBackend
{
    /// <summary>The algorithms this backend runs for a convolution of x (N,C,H,W) by w (K,C,kh,kw) and the reserve
    /// that follows from them; chosen once per shapes and batch.</summary>
    public ConvolutionPlan ConvolutionPlan(Shape x, Shape w, ConvolutionGeometry geometry) => Convolutions.Plan(ShapeFor(x, w, geometry), x[0]);

    /// <inheritdoc />
    public unsafe void ConvolutionForward(Tensor x, Tensor w, Tensor? bias, Tensor y, ConvolutionGeometry geometry, Tensor? reserve = null)
    {
        var s = Shape(x, w, y, geometry);
        Convolutions.Forward(Convolutions.Plan(s, x.Dim(0)).Forward, s, x.Dim(0), Ptr(x), Ptr(w),
            ConvolutionEpilogue.Bias(bias is null ? null : Ptr(bias)), Ptr(y), Reserve(x, w, geometry, reserve));
    }

    /// <summary>y = act(x ⋆ w + bias (+ z)) in one pass over the output: the test-time layer with batch norm folded
    /// into w and bias, the residual and the ReLU applied as each output is stored.</summary>
    public unsafe void ConvolutionBiasActivationForward(Tensor x, Tensor w, Tensor bias, Tensor? z, bool relu, Tensor y, ConvolutionGeometry geometry)
    {
        var s = Shape(x, w, y, geometry);
        float* py = Ptr(y);
        Convolutions.Forward(Convolutions.Plan(s, x.Dim(0)).Forward, s, x.Dim(0), Ptr(x), Ptr(w),
            new ConvolutionEpilogue(Ptr(bias), z is null ? null : Ptr(z), relu, py), py, null);
    }

    // ---- One named algorithm, whatever the plan (tests run every algorithm on every shape it accepts) ---------------

    internal bool Accepts(ForwardAlgorithm algorithm, Shape x, Shape w, ConvolutionGeometry geometry) =>
        ConvolutionPlanner.Accepts(algorithm, ShapeFor(x, w, geometry), x[0], Isa);

    internal bool Accepts(DataGradientAlgorithm algorithm, Shape x, Shape w, ConvolutionGeometry geometry) =>
        ConvolutionPlanner.Accepts(algorithm, ShapeFor(x, w, geometry), x[0], Isa);

    internal bool Accepts(FilterGradientAlgorithm algorithm, Shape x, Shape w, ConvolutionGeometry geometry) =>
        ConvolutionPlanner.Accepts(algorithm, ShapeFor(x, w, geometry), x[0], Isa);

    internal unsafe void ConvolutionForward(ForwardAlgorithm algorithm, Tensor x, Tensor w, Tensor? bias, Tensor y, ConvolutionGeometry geometry) =>
        Convolutions.Forward(algorithm, Shape(x, w, y, geometry), x.Dim(0), Ptr(x), Ptr(w), ConvolutionEpilogue.Bias(bias is null ? null : Ptr(bias)),
            Ptr(y), null);

    internal unsafe void ConvolutionBackwardData(DataGradientAlgorithm algorithm, Tensor w, Tensor dy, Tensor dx, ConvolutionGeometry geometry) =>
        Convolutions.BackwardData(algorithm, Shape(dx, w, dy, geometry), dx.Dim(0), Ptr(w), Ptr(dy), Ptr(dx));

    internal unsafe void ConvolutionBackwardFilter(FilterGradientAlgorithm algorithm, Tensor x, Tensor dy, Tensor dw, ConvolutionGeometry geometry) =>
        Convolutions.BackwardFilter(algorithm, Shape(x, dw, dy, geometry), x.Dim(0), Ptr(x), Ptr(dy), Ptr(dw), null);

    private static ConvShape ShapeFor(Shape x, Shape w, ConvolutionGeometry g)
    {
        var (oh, ow) = g.OutputShape(x[2], x[3], w[2], w[3]);
        return ShapeOf(x, w, oh, ow, g);
    }

    /// <summary>The plan's reserve: what the forward builds when the filter gradient reads the same.</summary>
    public long ConvolutionReserveSize(Shape x, Shape w, ConvolutionGeometry geometry) => ConvolutionPlan(x, w, geometry).ReserveFloats;

    /// <inheritdoc />
    public unsafe void ConvolutionBackwardData(Tensor w, Tensor dy, Tensor dx, ConvolutionGeometry geometry)
    {
        var s = Shape(dx, w, dy, geometry);
        Convolutions.BackwardData(Convolutions.Plan(s, dx.Dim(0)).DataGradient, s, dx.Dim(0), Ptr(w), Ptr(dy), Ptr(dx));
    }

    /// <inheritdoc />
    public unsafe void ConvolutionBackwardFilter(Tensor x, Tensor dy, Tensor dw, ConvolutionGeometry geometry, Tensor? reserve = null)
    {
        var s = Shape(x, dw, dy, geometry);
        Convolutions.BackwardFilter(Convolutions.Plan(s, x.Dim(0)).FilterGradient, s, x.Dim(0), Ptr(x), Ptr(dy), Ptr(dw),
            Reserve(x, dw, geometry, reserve));
    }

    /// <summary>The reserve's memory, checked against the size these shapes need (null when there is none to use).</summary>
    private unsafe float* Reserve(Tensor x, Tensor w, ConvolutionGeometry geometry, Tensor? reserve)
    {
        if (reserve is null) return null;
        long size = ConvolutionReserveSize(x.Shape, w.Shape, geometry);
        if (reserve.Count != size)
            throw new ArgumentException($"Convolution reserve has {reserve.Count} floats; these shapes need {size} (ConvolutionReserveSize).", nameof(reserve));
        return size == 0 ? null : Ptr(reserve);
    }

    /// <inheritdoc />
    public unsafe void ConvolutionBackwardBias(Tensor dy, Tensor db)
    {
        var (n, c, inner) = ChannelLayout(dy);
        ChannelKernels.SumPerChannel(Ptr(dy), Ptr(db), n, c, inner);
    }

    private static ConvShape Shape(Tensor x, Tensor w, Tensor y, ConvolutionGeometry g) => ShapeOf(x.Shape, w.Shape, y.Dim(2), y.Dim(3), g);

    private static ConvShape ShapeOf(Shape x, Shape w, int oh, int ow, ConvolutionGeometry g) =>
        new(x[1], x[2], x[3], w[0], w[2], w[3], oh, ow, g.StrideH, g.StrideW, g.PadH, g.PadW);
}
