using DeepImpression.Core.Backends.Cpu.Kernels;
using DeepImpression.Core.Tensors;

namespace DeepImpression.Core.Backends.Cpu;

public sealed partial class CpuBackend
{
    /// <inheritdoc />
    public unsafe void ActivationForward(ActivationMode mode, Tensor x, Tensor y)
    {
        switch (mode)
        {
            case ActivationMode.Relu:
                ElementwiseKernels.Map(new ReluOp(), Ptr(x), Ptr(y), y.Count);
                break;
            case ActivationMode.Tanh:
                // Only the five fusion outputs per example pass through tanh: scalar is plenty.
                var xs = Data(x);
                var ys = Data(y);
                for (int i = 0; i < ys.Length; i++) ys[i] = MathF.Tanh(xs[i]);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown activation.");
        }
    }

    /// <inheritdoc />
    public unsafe void ActivationBackward(ActivationMode mode, Tensor y, Tensor dy, Tensor dx)
    {
        switch (mode)
        {
            case ActivationMode.Relu:
                ElementwiseKernels.Zip(new ReluBackwardOp(), Ptr(y), Ptr(dy), Ptr(dx), dx.Count);
                break;
            case ActivationMode.Tanh:
                ElementwiseKernels.Zip(new TanhBackwardOp(), Ptr(y), Ptr(dy), Ptr(dx), dx.Count);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown activation.");
        }
    }
}
