using DeepImpression.Core.Model;
using DeepImpression.Core.Ops;
using DeepImpression.Core.Optim;
using DeepImpression.Core.Tensors;

namespace DeepImpression.Cuda.Tests.Gpu;

/// <summary>The whole network on both devices from the same initial weights and the same inputs.</summary>
public class TrainingStepParityTests : GpuTestBase
{
    private static (float Loss, Dictionary<string, float[]> Gradients) Step(Device device, int batch, int audio, int frame, ulong seed)
    {
        var net = new DeepImpressionNet(device, seed);
        var rng = new Rng(seed + 1);
        using var scope = TensorScope.Begin();
        var a = Tensor.RandomUniform(new Shape(batch, 1, 1, audio), rng, -1, 1, device);
        var f = Tensor.RandomUniform(new Shape(batch, 3, frame, frame), rng, 0, 255, device);
        var t = Tensor.RandomUniform(new Shape(batch, 5), rng, 0, 1, device);
        var loss = Op.MeanAbsoluteError(net.Forward(a, f), t);
        float value = loss.Item();
        loss.Backward();
        return (value, net.NamedParameters().ToDictionary(p => p.Path, p => p.Tensor.Grad!.ToArray()));
    }

    [Test]
    public void One_training_step_of_the_full_network_at_training_size_matches_the_cpu()
    {
        var cpu = Step(CpuDevice, 4, DeepImpressionNet.TrainingAudioSamples, DeepImpressionNet.TrainingFrameSize, 11);
        var gpu = Step(GpuDevice, 4, DeepImpressionNet.TrainingAudioSamples, DeepImpressionNet.TrainingFrameSize, 11);
        Assert.That(gpu.Loss, Is.EqualTo(cpu.Loss).Within(1e-4).Percent.Or.EqualTo(cpu.Loss).Within(1e-6));
        // Gradients pass through 17 layers of reductions summed in different orders: 1e-2 of the tensor's scale.
        foreach (var (path, expected) in cpu.Gradients)
            AssertParity(expected, gpu.Gradients[path], 1e-2, $"gradient of {path}");
    }

    [Test]
    public void The_same_training_run_follows_the_same_loss_curve_on_both_devices()
    {
        float[] Curve(Device device)
        {
            var net = new DeepImpressionNet(device, 21);
            var adam = new Adam(net.NamedParameters());
            var rng = new Rng(22);
            var losses = new float[5];
            for (int i = 0; i < losses.Length; i++)
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
        var cpu = Curve(CpuDevice);
        var gpu = Curve(GpuDevice);
        for (int i = 0; i < cpu.Length; i++) Assert.That(gpu[i], Is.EqualTo(cpu[i]).Within(1).Percent, $"loss of step {i}");
    }
}
