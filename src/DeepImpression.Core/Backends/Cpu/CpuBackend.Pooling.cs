using DeepImpression.Core.Backends.Cpu.Kernels;
using DeepImpression.Core.Tensors;

namespace DeepImpression.Core.Backends.Cpu;

public sealed partial class CpuBackend
{
    /// <inheritdoc />
    public unsafe void PoolingForward(PoolingMode mode, PoolingGeometry geometry, Tensor x, Tensor y) =>
        PoolingKernels.Forward(mode, geometry, Ptr(x), Ptr(y), x.Dim(0) * x.Dim(1), x.Dim(2), x.Dim(3), y.Dim(2), y.Dim(3));

    /// <inheritdoc />
    public unsafe void PoolingBackward(PoolingMode mode, PoolingGeometry geometry, Tensor x, Tensor y, Tensor dy, Tensor dx) =>
        PoolingKernels.Backward(mode, geometry, Ptr(x), Ptr(dy), Ptr(dx), x.Dim(0) * x.Dim(1), x.Dim(2), x.Dim(3), dy.Dim(2), dy.Dim(3));
}
