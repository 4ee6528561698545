using DeepImpression.Core.Autograd;
using DeepImpression.Core.Backends;
using DeepImpression.Core.Tensors;

namespace DeepImpression.Core.Ops;

public static partial class Op
{
    public static Tensor Relu(Tensor x) => Activation("Relu", ActivationMode.Relu, x);

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
