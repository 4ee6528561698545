using DeepImpression.Core.Autograd;
using DeepImpression.Core.Tensors;

namespace DeepImpression.Core.Ops;

public static partial class Op
{
    /// <summary>
    /// Batch normalization with the batch's statistics over (N,H,W) per channel; updates the running statistics in
    /// place (running = decay·running + (1 − decay)·batch, the variance unbiased).
    /// </summary>
    public static Tensor BatchNormTraining(Tensor x, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVariance,
        double decay, double epsilon) =>
        TrainingNormalization("BatchNormTraining", relu: false, x, null, gamma, beta, runningMean, runningVariance, decay, epsilon);

    /// <summary>
    /// ReLU of <see cref="BatchNormTraining"/>, max(BN(x), 0), as one op: one pass over the data each way instead of
    /// two, and no pre-activation tensor kept. The same numbers, bit for bit, as the two ops in turn.
    /// </summary>
    public static Tensor BatchNormReluTraining(Tensor x, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVariance,
        double decay, double epsilon) =>
        TrainingNormalization("BatchNormReluTraining", relu: true, x, null, gamma, beta, runningMean, runningVariance, decay, epsilon);

    /// <summary>
    /// max(BN(x) + residual, 0), a residual block's tail, as one op: one pass forward instead of three. The same
    /// numbers, bit for bit, as <see cref="BatchNormTraining"/>, <see cref="Add"/> and <see cref="Relu"/> in turn.
    /// </summary>
    public static Tensor BatchNormAddReluTraining(Tensor x, Tensor residual, Tensor gamma, Tensor beta, Tensor runningMean,
        Tensor runningVariance, double decay, double epsilon)
    {
        Check.SameDevice("BatchNormAddReluTraining", x, residual);
        Check.That(residual.Shape == x.Shape, "BatchNormAddReluTraining", () => $"residual {residual.Shape} does not match input {x.Shape}.");
        return TrainingNormalization("BatchNormAddReluTraining", relu: true, x, residual, gamma, beta, runningMean, runningVariance, decay, epsilon);
    }

    private static Tensor TrainingNormalization(string op, bool relu, Tensor x, Tensor? residual, Tensor gamma, Tensor beta,
        Tensor runningMean, Tensor runningVariance, double decay, double epsilon)
    {
        CheckBatchNorm(op, x, gamma, beta, runningMean, runningVariance);
        int perChannel = x.Count / x.Dim(1);
        Check.That(perChannel > 1, op, () => $"input {x.Shape} has one value per channel; batch statistics need at least two.");
        int c = x.Dim(1);
        var y = Tensor.Empty(x.Shape, x.Device);
        var saveMean = Tensor.Empty(new Shape(c), x.Device);
        var saveInvStd = Tensor.Empty(new Shape(c), x.Device);
        var backend = x.Backend;
        if (relu) backend.BatchNormReluForwardTraining(x, residual, gamma, beta, y, 1.0 - decay, runningMean, runningVariance, epsilon, saveMean, saveInvStd);
        else backend.BatchNormForwardTraining(x, gamma, beta, y, 1.0 - decay, runningMean, runningVariance, epsilon, saveMean, saveInvStd);
        Tensor[] inputs = residual is null ? [x, gamma, beta] : [x, gamma, beta, residual];
        return Backprop.Record(y, op, inputs, dy =>
        {
            var dx = Tensor.Empty(x.Shape, x.Device);
            var dGamma = Tensor.Empty(gamma.Shape, x.Device);
            var dBeta = Tensor.Empty(beta.Shape, x.Device);
            var dResidual = residual is { TracksGradient: true } ? Tensor.Empty(x.Shape, x.Device) : null;
            if (relu) backend.BatchNormReluBackward(x, y, dy, gamma, epsilon, saveMean, saveInvStd, dx, dResidual, dGamma, dBeta);
            else backend.BatchNormBackward(x, dy, gamma, epsilon, saveMean, saveInvStd, dx, dGamma, dBeta);
            return residual is null ? [dx, dGamma, dBeta] : [dx, dGamma, dBeta, dResidual];
        });
    }

    /// <summary>Batch normalization with the running statistics (evaluation). Not differentiable: call it under NoGrad.</summary>
    public static Tensor BatchNormInference(Tensor x, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVariance, double epsilon)
    {
        const string op = "BatchNormInference";
        CheckBatchNorm(op, x, gamma, beta, runningMean, runningVariance);
        if (Backprop.ShouldRecord([x, gamma, beta]))
            throw new InvalidOperationException($"{op}: batch normalization in evaluation mode has no gradient here; " +
                                                "train in training mode, or run evaluation under Backprop.NoGrad().");
        var y = Tensor.Empty(x.Shape, x.Device);
        x.Backend.BatchNormForwardInference(x, gamma, beta, runningMean, runningVariance, epsilon, y);
        return y;
    }

    private static void CheckBatchNorm(string op, Tensor x, Tensor gamma, Tensor beta, Tensor mean, Tensor variance)
    {
        Check.That(x.Rank is 2 or 4, op, () => $"input must have rank 2 or 4, got {x.Shape}.");
        Check.SameDevice(op, x, gamma, beta, mean, variance);
        int c = x.Dim(1);
        foreach (var (name, t) in new[] { ("gamma", gamma), ("beta", beta), ("running mean", mean), ("running variance", variance) })
            Check.That(t.Rank == 1 && t.Dim(0) == c, op, () => $"{name} {t.Shape} does not match the {c} channels of input {x.Shape}.");
    }
}
