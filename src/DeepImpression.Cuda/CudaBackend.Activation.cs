using DeepImpression.Core.Backends;
using DeepImpression.Core.Tensors;
using DeepImpression.Cuda.Dnn;
using DeepImpression.Cuda.Interop;

namespace DeepImpression.Cuda;

// ReLU and tanh through cuDNN's activation functions, tensors of any rank described as (first dim, rest, 1, 1).
public sealed unsafe partial class CudaBackend
{
    /// <inheritdoc />
    public void ActivationForward(ActivationMode mode, Tensor x, Tensor y)
    {
        if (y.Count == 0) return;
        var desc = _descriptors.Tensor(0, TensorDescriptorShape.Elementwise(x.Shape));
        float one = 1f, zero = 0f;
        ulong px = Address(x), py = Address(y);
        CuDnn.Check(CuDnn.cudnnActivationForward(_cudnn.Value, _descriptors.Activation(mode), &one, desc, px, &zero, desc, py),
            "cudnnActivationForward");
    }

    /// <summary>cuDNN also takes x; both functions' derivatives are functions of y (ReLU: y &gt; 0 exactly when
    /// x &gt; 0; tanh: 1 − y²), so y stands in for it.</summary>
    public void ActivationBackward(ActivationMode mode, Tensor y, Tensor dy, Tensor dx)
    {
        if (dx.Count == 0) return;
        var desc = _descriptors.Tensor(0, TensorDescriptorShape.Elementwise(y.Shape));
        float one = 1f, zero = 0f;
        ulong py = Address(y), pdy = Address(dy), pdx = Address(dx);
        CuDnn.Check(CuDnn.cudnnActivationBackward(_cudnn.Value, _descriptors.Activation(mode), &one, desc, py, desc, pdy, desc, py,
            &zero, desc, pdx), "cudnnActivationBackward");
    }
}
