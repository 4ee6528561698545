using DeepImpression.Core.Model;
using DeepImpression.Core.Ops;
using DeepImpression.Core.Optim;
using DeepImpression.Core.Tensors;

namespace DeepImpression.Train.Training;

/// <summary>
/// One optimization step of the original recipe: forward, mean absolute error, backward, optimizer update.
/// Everything the step allocates is released when it returns, so the steady state reuses pooled memory.
/// </summary>
internal sealed class TrainingStep(DeepImpressionNet net, Optimizer optimizer)
{
    public DeepImpressionNet Net { get; } = net;
    public Optimizer Optimizer { get; } = optimizer;

    /// <summary>Runs the step on host batch data (audio N·L, frames N·3·H·W, targets N·5) and returns the loss.</summary>
    public float Run(int batchSize, ReadOnlySpan<float> audio, ReadOnlySpan<float> frames, int frameHeight, int frameWidth, ReadOnlySpan<float> targets)
    {
        using var scope = TensorScope.Begin();
        var device = Net.Device;
        var a = Tensor.FromArray(audio, new Shape(batchSize, 1, 1, audio.Length / batchSize), device);
        var f = Tensor.FromArray(frames, new Shape(batchSize, 3, frameHeight, frameWidth), device);
        var t = Tensor.FromArray(targets, new Shape(batchSize, DeepImpressionNet.TraitCount), device);
        return Run(a, f, t);
    }

    /// <summary>
    /// Runs the step on tensors already on the model's device. A loss that is not finite is returned without
    /// updating the parameters, so the model stays as it was before the bad batch.
    /// </summary>
    public float Run(Tensor audio, Tensor frames, Tensor targets)
    {
        using var scope = TensorScope.Begin();
        Net.SetTraining(true);
        Net.ZeroGradients();
        var prediction = Net.Forward(audio, frames);
        var loss = Op.MeanAbsoluteError(prediction, targets);
        float value = loss.Item();
        if (!float.IsFinite(value)) return value;
        loss.Backward();
        Optimizer.Step();
        return value;
    }
}
