using DeepImpression.Core.Model;
using DeepImpression.Core.Ops;
using DeepImpression.Core.Optim;
using DeepImpression.Core.Tensors;

namespace DeepImpression.Cuda.Tests.Parity;

/// <summary>
/// Whole-network comparisons, where no float64 reference exists: the float32 noise floor of the computation itself,
/// measured on the CPU. Two devices round every multiply-add differently; moving every weight by one unit in the last
/// place (in a random direction) makes differences of the same kind, at every layer, one per multiply-add. So a
/// device's result may differ from the CPU's by a few times what such a perturbation changes, and a defect (a wrong
/// epsilon, a transposed product, a wrong algorithm) shows as orders of magnitude more.
/// </summary>
public static class NetworkNoiseFloor
{
    /// <summary>How many times the measured floor a device may differ by: the GPU's per-operation differences are
    /// sums over partial results rather than over single terms, a constant of a few either way.</summary>
    public const double Allowance = 8;

    /// <summary>The loss and every parameter's gradient after one training step (forward, MAE, backward).</summary>
    public sealed record StepResult(float Loss, Dictionary<string, float[]> Gradients);

    /// <summary>One training step of the network built from <paramref name="seed"/> (its weights moved by one ulp at
    /// random when <paramref name="perturbation"/> is given), on random inputs of the given sizes.</summary>
    public static StepResult Step(Device device, int batch, int audio, int frame, ulong seed, ulong? perturbation = null)
    {
        var net = new DeepImpressionNet(device, seed);
        if (perturbation is { } p) Perturb(net, p);
        var rng = new Rng(seed + 1);
        using var scope = TensorScope.Begin();
        var a = Tensor.RandomUniform(new Shape(batch, 1, 1, audio), rng, -1, 1, device);
        var f = Tensor.RandomUniform(new Shape(batch, 3, frame, frame), rng, 0, 255, device);
        var t = Tensor.RandomUniform(new Shape(batch, 5), rng, 0, 1, device);
        var loss = Op.MeanAbsoluteError(net.Forward(a, f), t);
        float value = loss.Item();
        loss.Backward();
        return new StepResult(value, net.NamedParameters().ToDictionary(q => q.Path, q => q.Tensor.Grad!.ToArray()));
    }

    /// <summary>The losses of <paramref name="steps"/> Adam steps on small random batches.</summary>
    public static float[] Curve(Device device, int steps, ulong seed, ulong? perturbation = null)
    {
        var net = new DeepImpressionNet(device, seed);
        if (perturbation is { } p) Perturb(net, p);
        var adam = new Adam(net.NamedParameters());
        var rng = new Rng(seed + 1);
        var losses = new float[steps];
        for (int i = 0; i < steps; i++)
        {
            using var scope = TensorScope.Begin();
            net.ZeroGradients();
            var loss = Op.MeanAbsoluteError(
                net.Forward(Tensor.RandomUniform(new Shape(4, 1, 1, 8192), rng, -1, 1, device), Tensor.RandomUniform(new Shape(4, 3, 64, 64), rng, 0, 255, device)),
                Tensor.RandomUniform(new Shape(4, 5), rng, 0, 1, device));
            losses[i] = loss.Item();
            loss.Backward();
            adam.Step();
        }
        return losses;
    }

    /// <summary>Moves every weight to a neighbouring float, up or down at random.</summary>
    public static void Perturb(DeepImpressionNet net, ulong seed)
    {
        var rng = new Rng(seed);
        foreach (var (_, tensor) in net.NamedParameters())
        {
            var values = tensor.ToArray();
            for (int i = 0; i < values.Length; i++) values[i] = rng.NextDouble() < 0.5 ? MathF.BitDecrement(values[i]) : MathF.BitIncrement(values[i]);
            tensor.CopyFrom(values);
        }
    }

    /// <summary>The largest element-wise difference of two arrays.</summary>
    public static double MaxDifference(float[] a, float[] b) => a.Zip(b, (x, y) => Math.Abs((double)x - y)).DefaultIfEmpty(0).Max();

    /// <summary>
    /// Asserts that <paramref name="actual"/> differs from <paramref name="cpu"/> by at most <see cref="Allowance"/>
    /// times the larger of the two perturbed runs' differences from it, tensor by tensor.
    /// </summary>
    public static void AssertWithinFloor(StepResult cpu, StepResult[] perturbed, StepResult actual, string device)
    {
        double lossFloor = perturbed.Max(p => Math.Abs((double)p.Loss - cpu.Loss));
        Assert.That(Math.Abs((double)actual.Loss - cpu.Loss), Is.LessThanOrEqualTo(Allowance * lossFloor),
            $"loss on {device} {actual.Loss:R}, on the CPU {cpu.Loss:R}; one-ulp weight perturbations move it by {lossFloor:G3}");
        double worst = 0;
        string worstPath = "";
        foreach (var (path, expected) in cpu.Gradients)
        {
            double floor = perturbed.Max(p => MaxDifference(p.Gradients[path], expected));
            double difference = MaxDifference(actual.Gradients[path], expected);
            double ratio = difference == 0 ? 0 : difference / (Allowance * floor);
            if (ratio > worst) (worst, worstPath) = (ratio, path);
        }
        Console.WriteLine($"{device}: the worst gradient ({worstPath}) used {worst:F3} of {Allowance} times its noise floor");
        Assert.That(worst, Is.LessThanOrEqualTo(1.0), $"gradient of {worstPath} on {device}: {worst * Allowance:F1} times the noise floor of one-ulp weight perturbations");
    }
}
