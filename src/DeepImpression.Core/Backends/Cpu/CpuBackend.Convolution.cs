using DeepImpression.Core.Backends.Cpu.Kernels;
using DeepImpression.Core.Tensors;

namespace DeepImpression.Core.Backends.Cpu;

public sealed partial class CpuBackend
{
    public unsafe void ConvolutionForward(Tensor x, Tensor w, Tensor? bias, Tensor y, ConvolutionGeometry geometry) =>
        ConvolutionKernels.Forward(Shape(x, w, y, geometry), x.Dim(0), Ptr(x), Ptr(w), bias is null ? null : Ptr(bias), Ptr(y));

    public unsafe void ConvolutionBackwardData(Tensor w, Tensor dy, Tensor dx, ConvolutionGeometry geometry) =>
        ConvolutionKernels.BackwardData(Shape(dx, w, dy, geometry), dx.Dim(0), Ptr(w), Ptr(dy), Ptr(dx));

    public unsafe void ConvolutionBackwardFilter(Tensor x, Tensor dy, Tensor dw, ConvolutionGeometry geometry) =>
        ConvolutionKernels.BackwardFilter(Shape(x, dw, dy, geometry), x.Dim(0), Ptr(x), Ptr(dy), Ptr(dw));

    public unsafe void ConvolutionBackwardBias(Tensor dy, Tensor db)
    {
        var (n, c, inner) = ChannelLayout(dy);
        ChannelKernels.SumPerChannel(Ptr(dy), Ptr(db), n, c, inner);
    }

    private static ConvShape Shape(Tensor x, Tensor w, Tensor y, ConvolutionGeometry g) =>
        new(x.Dim(1), x.Dim(2), x.Dim(3), w.Dim(0), w.Dim(2), w.Dim(3), y.Dim(2), y.Dim(3), g.StrideH, g.StrideW, g.PadH, g.PadW);
}
