using DeepImpression.Core.Backends;
using DeepImpression.Core.Tensors;
using DeepImpression.Cuda.Dnn;
using DeepImpression.Cuda.Interop;
using DeepImpression.Cuda.Kernels;

namespace DeepImpression.Cuda;

// Pooling: cuDNN for plain average pooling, our kernels for max pooling and cover-all average (see PoolingPlan).
public sealed unsafe partial class CudaBackend
{
    /// <inheritdoc />
    public void PoolingForward(PoolingMode mode, PoolingGeometry geometry, Tensor x, Tensor y)
    {
        if (y.Count == 0) return;
        switch (PoolingPlan.Choose(mode, geometry, x.Dim(2), x.Dim(3)))
        {
            case PoolingImplementation.CuDnnAverage:
            {
                float one = 1f, zero = 0f;
                ulong px = Address(x), py = Address(y);
                CuDnn.Check(CuDnn.cudnnPoolingForward(_cudnn.Value, _descriptors.AveragePooling(geometry), &one,
                    _descriptors.Tensor(0, TensorDescriptorShape.FeatureMap(x.Shape)), px, &zero,
                    _descriptors.Tensor(1, TensorDescriptorShape.FeatureMap(y.Shape)), py), "cudnnPoolingForward");
                break;
            }
            case PoolingImplementation.MaxKernel:
                LaunchPooling(KernelCatalog.MaxPoolForward, y.Count, geometry, x, y, [P(Address(x)), P(Address(y))]);
                break;
            case PoolingImplementation.AverageKernel:
                LaunchPooling(KernelCatalog.AveragePoolForward, y.Count, geometry, x, y, [P(Address(x)), P(Address(y))]);
                break;
        }
    }

    /// <inheritdoc />
    public void PoolingBackward(PoolingMode mode, PoolingGeometry geometry, Tensor x, Tensor y, Tensor dy, Tensor dx)
    {
        if (dx.Count == 0) return;
        switch (PoolingPlan.Choose(mode, geometry, x.Dim(2), x.Dim(3)))
        {
            case PoolingImplementation.CuDnnAverage:
            {
                float one = 1f, zero = 0f;
                var xDesc = _descriptors.Tensor(0, TensorDescriptorShape.FeatureMap(x.Shape));
                var yDesc = _descriptors.Tensor(1, TensorDescriptorShape.FeatureMap(y.Shape));
                ulong px = Address(x), py = Address(y), pdy = Address(dy), pdx = Address(dx);
                CuDnn.Check(CuDnn.cudnnPoolingBackward(_cudnn.Value, _descriptors.AveragePooling(geometry), &one,
                    yDesc, py, yDesc, pdy, xDesc, px, &zero, xDesc, pdx), "cudnnPoolingBackward");
                break;
            }
            case PoolingImplementation.MaxKernel:
                LaunchPooling(KernelCatalog.MaxPoolBackward, dx.Count, geometry, x, y, [P(Address(x)), P(Address(dy)), P(Address(dx))]);
                break;
            case PoolingImplementation.AverageKernel:
                LaunchPooling(KernelCatalog.AveragePoolBackward, dx.Count, geometry, x, y, [P(Address(dy)), P(Address(dx))]);
                break;
        }
    }

    /// <summary>The pooling kernels' shared tail of arguments: planes (N·C), input and output sizes, window geometry.</summary>
    private void LaunchPooling(KernelSignature kernel, long threads, PoolingGeometry g, Tensor x, Tensor y, ReadOnlySpan<KernelArgument> buffers)
    {
        Span<KernelArgument> arguments = stackalloc KernelArgument[buffers.Length + 11];
        buffers.CopyTo(arguments);
        int i = buffers.Length;
        arguments[i++] = I(x.Dim(0) * x.Dim(1));
        arguments[i++] = I(x.Dim(2));
        arguments[i++] = I(x.Dim(3));
        arguments[i++] = I(y.Dim(2));
        arguments[i++] = I(y.Dim(3));
        arguments[i++] = I(g.KernelH);
        arguments[i++] = I(g.KernelW);
        arguments[i++] = I(g.StrideH);
        arguments[i++] = I(g.StrideW);
        arguments[i++] = I(g.PadH);
        arguments[i++] = I(g.PadW);
        Launch(kernel, threads, arguments);
    }
}
