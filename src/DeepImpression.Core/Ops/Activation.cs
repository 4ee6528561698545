using DeepImpression.Core.Autograd;
using DeepImpression.Core.Backends;
using DeepImpression.Core.Tensors;

namespace DeepImpression.Core.Ops;

/// <summary>
/// The differentiable operations on tensors. Each checks its arguments, runs on the backend of its inputs' device, and
/// records a <see cref="Autograd.GradNode"/> on its result when an input tracks gradients, so that
/// <see cref="Tensor.Backward"/> reaches it. The math and the gradient of each op are written once here; backends
/// implement only primitives.
/// </summary>
public static partial class Op
{
    /// <summary>max(x, 0) element-wise.</summary>
    public static Tensor Relu(Tensor x) => Activation("Relu", ActivationMode.Relu, x);

    /// <summary>tanh(x) element-wise.</summary>
    public static Tensor Tanh(Tensor x) => Activation("Tanh", ActivationMode.Tanh, x);

    private static Tensor Activation(string op, ActivationMode mode, Tensor x)
    {
        var y = Tensor.Empty(x.Shape, x.Device);
        x.Backend.ActivationForward(mode, x, y);
        return Backprop.Record(y, op, [x], dy =>
        {
            var dx = Tensor.Empty(x.Shape, x.Device);
            x.Backend.ActivationBackward(mode, y, dy, dx);
            return [dx];
        });
    }
}
