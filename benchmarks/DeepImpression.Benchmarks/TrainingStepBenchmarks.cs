using BenchmarkDotNet.Attributes;
using DeepImpression.Core.Model;
using DeepImpression.Core.Optim;
using DeepImpression.Core.Tensors;
using DeepImpression.Train.Training;

namespace DeepImpression.Benchmarks;

/// <summary>A whole training step (forward, loss, backward, Adam) at the training input size, CPU. Divide by Batch for ms per example.</summary>
[MemoryDiagnoser]
[WarmupCount(1), IterationCount(3), InvocationCount(1)]
public class TrainingStepBenchmarks
{
    private TrainingStep _step = null!;
    private Tensor _audio = null!, _frames = null!, _targets = null!;

    [Params(8, 32)]
    public int Batch { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var net = new DeepImpressionNet(Device.Cpu, seed: 1);
        _step = new TrainingStep(net, new Adam(net.NamedParameters()));
        var rng = new Rng(2);
        _audio = Tensor.RandomUniform(new Shape(Batch, 1, 1, DeepImpressionNet.TrainingAudioSamples), rng, -1, 1);
        _frames = Tensor.RandomUniform(new Shape(Batch, 3, 224, 224), rng, 0, 255);
        _targets = Tensor.RandomUniform(new Shape(Batch, 5), rng);
    }

    [Benchmark]
    public float Step() => _step.Run(_audio, _frames, _targets);
}
