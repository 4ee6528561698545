using DeepImpression.Core.Autograd;
using DeepImpression.Core.Tensors;

namespace DeepImpression.Core.Ops;

public static partial class Op
{
    /// <summary>mean |prediction − target| over all elements, shape (1). The training loss of the original.</summary>
    public static Tensor MeanAbsoluteError(Tensor prediction, Tensor target)
    {
        const string op = "MeanAbsoluteError";
        Check.SameShape(op, prediction, target);
        Check.SameDevice(op, prediction, target);
        var loss = Tensor.Empty(new Shape(1), prediction.Device);
        prediction.Backend.MeanAbsoluteError(prediction, target, loss);
        return Backprop.Record(loss, op, [prediction, target], dLoss =>
        {
            var dp = Tensor.Empty(prediction.Shape, prediction.Device);
            prediction.Backend.MeanAbsoluteErrorBackward(prediction, target, dLoss, dp);
            Tensor? dt = null;
            if (target.TracksGradient)
            {
                dt = Tensor.Empty(target.Shape, target.Device);
                prediction.Backend.Affine(dp, -1f, 0f, dt);
            }
            return [dp, dt];
        });
    }
}
