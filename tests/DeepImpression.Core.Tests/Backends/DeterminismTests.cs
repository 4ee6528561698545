using DeepImpression.Core.Autograd;
using DeepImpression.Core.Backends;
using DeepImpression.Core.Backends.Cpu;
using DeepImpression.Core.Backends.Cpu.Kernels;
using DeepImpression.Core.Model;
using DeepImpression.Core.Ops;
using DeepImpression.Core.Optim;
using DeepImpression.Core.Tensors;

namespace DeepImpression.Core.Tests.Backends;

/// <summary>
/// Multithreaded kernels must not let thread timing into the numbers: resumed training is promised to repeat an
/// uninterrupted run bit for bit. Repeats work big enough to be split across the cores and compares the bits.
/// </summary>
[TestFixture]
public class DeterminismTests
{
    [Test]
    public void Filter_and_data_gradients_are_the_same_bits_on_every_call()
    {
        var backend = BackendRegistry.Get(Device.Cpu);
        var rng = new Rng(5);
        foreach (var (x, w, g) in new[]
                 {
                     (new Shape(8, 32, 1, 785), new Shape(64, 32, 1, 9), new ConvolutionGeometry(1, 4, 0, 4)),
                     (new Shape(8, 16, 29, 29), new Shape(32, 16, 3, 3), new ConvolutionGeometry(1, 1, 1, 1)),
                     (new Shape(8, 3, 56, 56), new Shape(32, 3, 7, 7), new ConvolutionGeometry(2, 2, 3, 3)),
                 })
        {
            using var scope = TensorScope.Begin();
            var input = Tensor.RandomNormal(x, rng);
            var filter = Tensor.RandomNormal(w, rng);
            var (oh, ow) = g.OutputShape(x[2], x[3], w[2], w[3]);
            var dy = Tensor.RandomNormal(new Shape(x[0], w[0], oh, ow), rng);
            float[]? dwFirst = null, dxFirst = null;
            for (int i = 0; i < 6; i++)
            {
                var dw = Tensor.Empty(w);
                var dx = Tensor.Empty(x);
                backend.ConvolutionBackwardFilter(input, dy, dw, g);
                backend.ConvolutionBackwardData(filter, dy, dx, g);
                dwFirst ??= dw.ToArray();
                dxFirst ??= dx.ToArray();
                Assert.That(dw.ToArray(), Is.EqualTo(dwFirst), $"filter gradient, call {i}, {x} * {w}");
                Assert.That(dx.ToArray(), Is.EqualTo(dxFirst), $"data gradient, call {i}, {x} * {w}");
            }
        }
    }

    /// <summary>Raw frames held in memory, for <see cref="DeepImpressionNet.PredictClip"/>.</summary>
    private sealed class Frames(float[] data, int count, int height, int width) : IFrameSource
    {
        public int FrameCount => count;
        public int Height => height;
        public int Width => width;
        public void CopyFrames(int start, int n, Span<float> destination) => data.AsSpan(start * 3 * height * width, n * 3 * height * width).CopyTo(destination);
    }

    /// <summary>
    /// Every number a short run produces: training steps of the whole network at two batch shapes (the second is
    /// the size the trainer's tests use), then the test-time procedure on a clip of 7 frames in chunks of 3.
    /// </summary>
    private static float[] TrainingLosses(Device? device = null)
    {
        var on = device ?? Device.Cpu;
        var net = new DeepImpressionNet(on, 3);
        var adam = new Adam(net.NamedParameters());
        var rng = new Rng(1);
        var results = new List<float>();
        foreach (var (n, samples, size) in new[] { (4, 8192, 48), (2, 4096, 32) })
        {
            var audio = Tensor.RandomUniform(new Shape(n, 1, 1, samples), rng, -1, 1, on);
            var frames = Tensor.RandomUniform(new Shape(n, 3, size, size), rng, 0, 255, on);
            var targets = Tensor.RandomUniform(new Shape(n, 5), rng, device: on);
            for (int i = 0; i < 3; i++)
            {
                using var scope = TensorScope.Begin();
                net.ZeroGradients();
                var loss = Op.MeanAbsoluteError(net.Forward(audio, frames), targets);
                results.Add(loss.Item());
                loss.Backward();
                adam.Step();
            }
        }
        var waveform = new float[20_000];
        for (int i = 0; i < waveform.Length; i++) waveform[i] = (float)(rng.NextDouble() * 2 - 1);
        var clip = new float[7 * 3 * 36 * 64];
        for (int i = 0; i < clip.Length; i++) clip[i] = (float)(rng.NextDouble() * 255);
        results.AddRange(net.PredictClip(waveform, new Frames(clip, 7, 36, 64), chunkSize: 3));
        return results.ToArray();
    }

    [Test]
    public void Training_steps_repeat_to_the_bit()
    {
        var first = TrainingLosses();
        for (int repeat = 0; repeat < 2; repeat++) Assert.That(TrainingLosses(), Is.EqualTo(first));
    }

    /// <summary>The numbers of a short run on a backend of its own, built from <paramref name="options"/>.</summary>
    private static float[] TrainingLosses(CpuBackendOptions options)
    {
        var device = BackendRegistry.AddCpu(options);
        using var backend = BackendRegistry.Get(device);
        return TrainingLosses(device);
    }

    [TestCase("CallerOnly")]
    [TestCase("HelpersOnly")]
    [TestCase("CallerBackwards")]
    public void The_numbers_do_not_depend_on_which_core_ran_which_piece(string scheduleName)
    {
        // Pieces go to whichever core is free, so a kernel whose result depended on the worker that ran a piece
        // (its scratch, its partial sums) would differ between runs with the same seed.
        var options = CpuBackendOptions.FromEnvironment() with { Threads = 3 };
        var reference = TrainingLosses(options);
        Assert.That(TrainingLosses(options with { Schedule = Enum.Parse<WorkerSchedule>(scheduleName) }), Is.EqualTo(reference));
    }

    [Test]
    [Category("Slow")]
    public void The_numbers_do_not_depend_on_the_number_of_threads()
    {
        // The README promises it: a run resumed with another --threads repeats the one it continues.
        var options = CpuBackendOptions.FromEnvironment();
        var one = TrainingLosses(options with { Threads = 1 });
        Assert.That(TrainingLosses(options with { Threads = 2 }), Is.EqualTo(one), "2 threads");
        Assert.That(TrainingLosses(options with { Threads = 5 }), Is.EqualTo(one), "5 threads");
    }

    [TestCase(null, null)]
    [TestCase(" ", null)]
    [TestCase("nan", float.NaN)]
    [TestCase("NaN", float.NaN)]
    [TestCase("-1e30", -1e30f)]
    [TestCase("garbage", null)]
    public void The_fill_switch_reads_nan_or_a_number(string? text, float? expected)
    {
        Assert.That(FreshMemoryFill.Parse(text), Is.EqualTo(expected));
    }

    [Test]
    public void No_kernel_reads_memory_it_has_not_written()
    {
        // What the pool and the garbage collector leave in fresh memory changes with timing; filling it with NaN,
        // then with a huge number, must change nothing.
        var reference = TrainingLosses();
        Assert.That(reference, Is.All.Matches<float>(float.IsFinite));
        try
        {
            foreach (var fill in new[] { float.NaN, 3e38f })
            {
                FreshMemoryFill.Value = fill;
                CpuBackend.Instance.TrimCache();
                Assert.That(TrainingLosses(), Is.EqualTo(reference), $"with fresh memory filled with {fill}");
            }
        }
        finally
        {
            FreshMemoryFill.Value = null;
        }
    }
}
