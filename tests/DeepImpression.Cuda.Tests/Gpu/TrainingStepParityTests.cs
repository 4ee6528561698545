using DeepImpression.Core.Model;
using DeepImpression.Cuda.Tests.Parity;

namespace DeepImpression.Cuda.Tests.Gpu;

/// <summary>
/// The whole network on both devices from the same initial weights and inputs, within the float32 noise floor of the
/// computation (<see cref="NetworkNoiseFloor"/>). <see cref="FullNetworkStepAtBatch32"/> is the GPU check's "step"
/// stage: one training step at the original batch and sizes.
/// </summary>
public class TrainingStepParityTests : GpuTestBase
{
    [Test]
    public void FullNetworkStepAtBatch32()
    {
        const int batch = 32;
        int audio = DeepImpressionNet.TrainingAudioSamples, frame = DeepImpressionNet.TrainingFrameSize;
        var cpu = NetworkNoiseFloor.Step(CpuDevice, batch, audio, frame, 11);
        NetworkNoiseFloor.StepResult[] perturbed =
            [NetworkNoiseFloor.Step(CpuDevice, batch, audio, frame, 11, 101), NetworkNoiseFloor.Step(CpuDevice, batch, audio, frame, 11, 102)];
        int searchesBefore = Gpu.ConvolutionSearches;
        var gpu = NetworkNoiseFloor.Step(GpuDevice, batch, audio, frame, 11);
        int searches = Gpu.ConvolutionSearches - searchesBefore;
        var census = ConvolutionCensus.Searches(ConvolutionCensus.TrainingStep(new DeepImpressionNet(CpuDevice, 11), batch, audio, frame));
        Console.WriteLine($"loss: CPU {cpu.Loss:R}, GPU {gpu.Loss:R}; {searches} cuDNN searches for the step, {census.After} distinct convolutions");
        NetworkNoiseFloor.AssertWithinFloor(cpu, perturbed, gpu, "the GPU");
        Assert.That(searches, Is.LessThanOrEqualTo(census.After), "one Find per convolution shape and direction");
    }

    [Test]
    public void The_same_training_run_follows_the_same_loss_curve_on_both_devices()
    {
        var cpu = NetworkNoiseFloor.Curve(CpuDevice, 5, 21);
        var floors = new[] { 201UL, 202UL }.Select(p => NetworkNoiseFloor.Curve(CpuDevice, 5, 21, p)).ToArray();
        var gpu = NetworkNoiseFloor.Curve(GpuDevice, 5, 21);
        for (int i = 0; i < cpu.Length; i++)
        {
            double floor = floors.Max(f => Math.Abs((double)f[i] - cpu[i]));
            Assert.That(Math.Abs((double)gpu[i] - cpu[i]), Is.LessThanOrEqualTo(NetworkNoiseFloor.Allowance * floor),
                $"loss of step {i}: GPU {gpu[i]:R}, CPU {cpu[i]:R}, noise floor {floor:G3}");
        }
    }
}
