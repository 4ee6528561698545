using DeepImpression.Core.Backends.Cpu.Kernels;
using DeepImpression.Core.Tensors;

namespace DeepImpression.Core.Backends.Cpu;

public sealed partial class CpuBackend
{
    /// <inheritdoc />
    public unsafe void Add(Tensor a, Tensor b, Tensor y) =>
        ElementwiseKernels.Zip(new AddOp(), Ptr(a), Ptr(b), Ptr(y), y.Count);

    /// <inheritdoc />
    public unsafe void Axpby(float alpha, Tensor x, float beta, Tensor y)
    {
        // beta = 0 must not read y at all: 0·NaN would leak stale garbage into the result.
        if (beta == 0f) ElementwiseKernels.Map(new AffineOp(alpha, 0f), Ptr(x), Ptr(y), y.Count);
        else ElementwiseKernels.Zip(new AxpbyOp(alpha, beta), Ptr(x), Ptr(y), Ptr(y), y.Count);
    }

    /// <inheritdoc />
    public unsafe void Affine(Tensor x, float scale, float shift, Tensor y) =>
        ElementwiseKernels.Map(new AffineOp(scale, shift), Ptr(x), Ptr(y), y.Count);

    /// <inheritdoc />
    public unsafe void BiasAdd(Tensor y, Tensor bias)
    {
        int n = y.Dim(0), c = y.Dim(1);
        int inner = y.Count / Math.Max(1, n * c);
        ChannelKernels.AddPerChannel(Ptr(y), Ptr(bias), n, c, inner);
    }
}
