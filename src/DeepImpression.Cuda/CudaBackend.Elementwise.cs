using DeepImpression.Core.Tensors;
using DeepImpression.Cuda.Kernels;

namespace DeepImpression.Cuda;

// Element-wise arithmetic, layout changes and optimizer updates: our kernels (elementwise.cu, optimizers.cu).
public sealed partial class CudaBackend
{
    /// <inheritdoc />
    public void Add(Tensor a, Tensor b, Tensor y) =>
        Launch(KernelCatalog.Add, y.Count, P(Address(a)), P(Address(b)), P(Address(y)), I(y.Count));

    /// <inheritdoc />
    public void Axpby(float alpha, Tensor x, float beta, Tensor y) =>
        Launch(KernelCatalog.Axpby, y.Count, F(alpha), P(Address(x)), F(beta), P(Address(y)), I(y.Count));

    /// <inheritdoc />
    public void Affine(Tensor x, float scale, float shift, Tensor y) =>
        Launch(KernelCatalog.Affine, y.Count, P(Address(x)), F(scale), F(shift), P(Address(y)), I(y.Count));

    /// <inheritdoc />
    public void Concat(IReadOnlyList<Tensor> inputs, int axis, Tensor y)
    {
        var (outer, inner) = AroundAxis(y.Shape, axis);
        int destinationStride = y.Dim(axis) * inner;
        int offset = 0;
        foreach (var input in inputs)
        {
            int block = input.Dim(axis) * inner;
            Launch(KernelCatalog.CopyBlocks, (long)outer * block, P(Address(input)), P(Address(y)), I(outer), I(block),
                I(block), I(0), I(destinationStride), I(offset * inner));
            offset += input.Dim(axis);
        }
    }

    /// <inheritdoc />
    public void Split(Tensor x, int axis, IReadOnlyList<Tensor> outputs)
    {
        var (outer, inner) = AroundAxis(x.Shape, axis);
        int sourceStride = x.Dim(axis) * inner;
        int offset = 0;
        foreach (var output in outputs)
        {
            int block = output.Dim(axis) * inner;
            Launch(KernelCatalog.CopyBlocks, (long)outer * block, P(Address(x)), P(Address(output)), I(outer), I(block),
                I(sourceStride), I(offset * inner), I(block), I(0));
            offset += output.Dim(axis);
        }
    }

    /// <inheritdoc />
    public void AdamUpdate(Tensor param, Tensor grad, Tensor m, Tensor v, float learningRate, float beta1, float beta2, float epsilon) =>
        Launch(KernelCatalog.AdamUpdate, param.Count, P(Address(param)), P(Address(grad)), P(Address(m)), P(Address(v)),
            F(learningRate), F(beta1), F(beta2), F(epsilon), I(param.Count));

    /// <inheritdoc />
    public void SgdMomentumUpdate(Tensor param, Tensor grad, Tensor velocity, float learningRate, float momentum) =>
        Launch(KernelCatalog.SgdMomentumUpdate, param.Count, P(Address(param)), P(Address(grad)), P(Address(velocity)),
            F(learningRate), F(momentum), I(param.Count));

    /// <summary>A shape seen as (outer, axis, inner): the products of the dimensions before and after the axis.</summary>
    internal static (int Outer, int Inner) AroundAxis(Shape shape, int axis)
    {
        if (axis < 0) axis += shape.Rank;
        int outer = 1, inner = 1;
        for (int d = 0; d < axis; d++) outer *= shape[d];
        for (int d = axis + 1; d < shape.Rank; d++) inner *= shape[d];
        return (outer, inner);
    }
}
