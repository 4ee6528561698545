using DeepImpression.Core.Backends.Cpu.Kernels;
using DeepImpression.Core.Tensors;

namespace DeepImpression.Core.Backends.Cpu;

public sealed partial class CpuBackend
{
    /// <inheritdoc />
    public unsafe void AdamUpdate(Tensor param, Tensor grad, Tensor m, Tensor v, float learningRate, float beta1, float beta2, float epsilon) =>
        OptimizerKernels.Adam(Ptr(param), Ptr(grad), Ptr(m), Ptr(v), param.Count, learningRate, beta1, beta2, epsilon);

    /// <inheritdoc />
    public unsafe void SgdMomentumUpdate(Tensor param, Tensor grad, Tensor velocity, float learningRate, float momentum) =>
        OptimizerKernels.SgdMomentum(Ptr(param), Ptr(grad), Ptr(velocity), param.Count, learningRate, momentum);
}
