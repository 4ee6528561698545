using DeepImpression.Core.Backends.Cpu.Kernels;
using DeepImpression.Core.Tensors;

namespace DeepImpression.Core.Backends.Cpu;

public sealed partial class CpuBackend
{
    public unsafe void ConvolutionForward(Tensor x, Tensor w, Tensor? bias, Tensor y, ConvolutionGeometry geometry, Tensor? reserve = null) =>
        ConvolutionKernels.Forward(Shape(x, w, y, geometry), x.Dim(0), Ptr(x), Ptr(w), bias is null ? null : Ptr(bias), Ptr(y),
            Reserve(x, w, geometry, reserve));

    /// <summary>The forward's phase grid of x, when both the forward and the filter gradient build one.</summary>
    public long ConvolutionReserveSize(Shape x, Shape w, ConvolutionGeometry geometry)
    {
        var (oh, ow) = geometry.OutputShape(x[2], x[3], w[2], w[3]);
        return ConvolutionKernels.ReserveSize(ShapeOf(x, w, oh, ow, geometry), x[0]);
    }

    public unsafe void ConvolutionBackwardData(Tensor w, Tensor dy, Tensor dx, ConvolutionGeometry geometry) =>
        ConvolutionKernels.BackwardData(Shape(dx, w, dy, geometry), dx.Dim(0), Ptr(w), Ptr(dy), Ptr(dx));

    public unsafe void ConvolutionBackwardFilter(Tensor x, Tensor dy, Tensor dw, ConvolutionGeometry geometry, Tensor? reserve = null) =>
        ConvolutionKernels.BackwardFilter(Shape(x, dw, dy, geometry), x.Dim(0), Ptr(x), Ptr(dy), Ptr(dw), Reserve(x, dw, geometry, reserve));

    /// <summary>The reserve's memory, checked against the size these shapes need (null when there is none to use).</summary>
    private unsafe float* Reserve(Tensor x, Tensor w, ConvolutionGeometry geometry, Tensor? reserve)
    {
        if (reserve is null) return null;
        long size = ConvolutionReserveSize(x.Shape, w.Shape, geometry);
        if (reserve.Count != size)
            throw new ArgumentException($"Convolution reserve has {reserve.Count} floats; these shapes need {size} (ConvolutionReserveSize).", nameof(reserve));
        return size == 0 ? null : Ptr(reserve);
    }

    public unsafe void ConvolutionBackwardBias(Tensor dy, Tensor db)
    {
        var (n, c, inner) = ChannelLayout(dy);
        ChannelKernels.SumPerChannel(Ptr(dy), Ptr(db), n, c, inner);
    }

    private static ConvShape Shape(Tensor x, Tensor w, Tensor y, ConvolutionGeometry g) => ShapeOf(x.Shape, w.Shape, y.Dim(2), y.Dim(3), g);

    private static ConvShape ShapeOf(Shape x, Shape w, int oh, int ow, ConvolutionGeometry g) =>
        new(x[1], x[2], x[3], w[0], w[2], w[3], oh, ow, g.StrideH, g.StrideW, g.PadH, g.PadW);
}
