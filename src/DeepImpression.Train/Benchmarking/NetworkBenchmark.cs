using System.Diagnostics;
using DeepImpression.Core.Autograd;
using DeepImpression.Core.Backends;
using DeepImpression.Core.Model;
using DeepImpression.Core.Ops;
using DeepImpression.Core.Optim;
using DeepImpression.Core.Tensors;
using DeepImpression.Train.Training;

namespace DeepImpression.Train.Benchmarking;

/// <summary>
/// Times the network on random inputs of the training size: whole training steps (forward, loss, backward, Adam),
/// each layer's forward and backward share of a step, and the test-time procedure on a full-length clip.
/// </summary>
public sealed class NetworkBenchmark(Device device, IReadOnlyList<int> batchSizes, int steps, int warmupSteps = 5)
{
    // Five untimed steps: the JIT moves the step's code up its tiers over the first calls, and a training run lives
    // in the steady state that follows (measured: steps 3 to 5 still run up to 15 % slower than later ones).

    /// <summary>Receives a line as each measurement is done (null: silent).</summary>
    public Action<string>? Log { get; init; }

    /// <summary>Times training steps at each batch size, and, if asked, the FMA peak and one whole test-time clip.</summary>
    /// <param name="measurePeak">Measure the CPU's FMA peak first, to express the rates as a share of it.</param>
    /// <param name="runClip">Also predict one synthetic test clip of <paramref name="clipFrames"/> frames and <paramref name="clipAudioSamples"/> samples.</param>
    /// <param name="clipFrames">Frames of the test clip (the paper's 15 s clips have about 459).</param>
    /// <param name="clipAudioSamples">Audio samples of the test clip (15 s at 16 kHz).</param>
    /// <param name="clipChunk">Frames per chunk of the visual stream; 0: sized for the caches (the test-time default).</param>
    public BenchResult Run(bool measurePeak, bool runClip, int clipFrames = 459, int clipAudioSamples = 240_000, int clipChunk = 0)
    {
        var machine = MachineInfo.Current();
        var backend = BackendRegistry.Get(device);
        double? peak = null;
        if (measurePeak && device.Kind == DeviceKind.Cpu)
        {
            Log?.Invoke("measuring the FMA peak...");
            peak = FmaPeak.MeasureGflops(Environment.ProcessorCount, TimeSpan.FromSeconds(0.5));
        }

        var net = new DeepImpressionNet(device, seed: 1);
        var adam = new Adam(net.NamedParameters());
        var step = new TrainingStep(net, adam);
        var runs = new List<TrainingRun>();
        IReadOnlyList<LayerTiming> layers = [];
        long trainingPeak = 0, trainingBackendPeak = 0;
        foreach (int batchSize in batchSizes)
        {
            var rng = new Rng(2);
            using var inputScope = TensorScope.Begin();
            var audio = Tensor.RandomUniform(new Shape(batchSize, 1, 1, DeepImpressionNet.TrainingAudioSamples), rng, -1, 1, device);
            var frames = Tensor.RandomUniform(new Shape(batchSize, 3, 224, 224), rng, 0, 255, device);
            var targets = Tensor.RandomUniform(new Shape(batchSize, 5), rng, 0, 1, device);

            Log?.Invoke($"warming up ({warmupSteps} steps at batch {batchSize})...");
            for (int i = 0; i < warmupSteps; i++) step.Run(audio, frames, targets);
            backend.Synchronize();

            Log?.Invoke($"timing {steps} training steps at batch {batchSize}...");
            var times = new List<double>();
            for (int i = 0; i < steps; i++)
            {
                long t0 = Stopwatch.GetTimestamp();
                step.Run(audio, frames, targets);
                backend.Synchronize();
                times.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
            }
            times.Sort();

            var describe = net.Describe(batchSize, DeepImpressionNet.TrainingAudioSamples, 224, 224);
            double gflopPerStep = 3 * 2.0 * describe.Sum(r => r.MultiplyAdds) / 1e9;
            double stepMs = times[times.Count / 2];
            runs.Add(new TrainingRun
            {
                BatchSize = batchSize,
                Steps = steps,
                StepMs = stepMs,
                FastestStepMs = times[0],
                SlowestStepMs = times[^1],
                GflopPerStep = gflopPerStep,
                PercentOfPeak = peak is { } p ? 100 * gflopPerStep / (stepMs / 1000) / p : null,
                Plans = Plans(backend, net.Convolutions(batchSize, DeepImpressionNet.TrainingAudioSamples, 224, 224)),
            });
            if (runs.Count == 1)
            {
                Log?.Invoke("profiling layers...");
                layers = ProfileLayers(net, adam, audio, frames, targets, describe);
                trainingPeak = PeakResidentBytes();
                trainingBackendPeak = backend.MemoryInUse.Peak;
            }
        }

        double? clipSeconds = null;
        long? clipPeak = null;
        int chunk = clipChunk > 0 ? clipChunk : net.TestChunk(DeepImpressionNet.TestFrameHeight, DeepImpressionNet.TestFrameWidth);
        var clipAudio = net.Auditory.Describe("", 1, 1, clipAudioSamples);
        var clipVisual = net.Visual.Describe("", 1, DeepImpressionNet.TestFrameHeight, DeepImpressionNet.TestFrameWidth);
        double clipGflop = 2.0 * (clipAudio.Sum(r => r.MultiplyAdds) + (double)clipFrames * clipVisual.Sum(r => r.MultiplyAdds)
                                  + (long)net.Fusion.InFeatures * net.Fusion.OutFeatures) / 1e9;
        if (runClip)
        {
            // The clip's own high-water mark: drop the training step's cached buffers, reset the kernel's peak.
            if (backend is Core.Backends.Cpu.CpuBackend cpu) cpu.TrimCache();
            ResetPeakResident();
            Log?.Invoke($"timing the test-time procedure on one clip ({clipAudioSamples:N0} samples, {clipFrames} frames at 456x256, chunks of {chunk})...");
            clipSeconds = TimeClip(net, clipFrames, clipAudioSamples, chunk);
            clipPeak = PeakResidentBytes();
        }

        return new BenchResult
        {
            Machine = machine,
            Device = device.ToString(),
            Backend = backend.Description,
            FmaPeakGflops = peak,
            Training = runs,
            Layers = layers,
            ClipSeconds = clipSeconds,
            ClipFrames = clipFrames,
            ClipAudioSamples = clipAudioSamples,
            ClipChunk = chunk,
            ClipGflop = clipGflop,
            ClipPlans = Plans(backend, [.. net.Auditory.Convolutions("aud/", 1, 1, clipAudioSamples),
                .. net.Visual.Convolutions("vis/", Math.Min(chunk, clipFrames), DeepImpressionNet.TestFrameHeight, DeepImpressionNet.TestFrameWidth)]),
            PeakResidentBytes = trainingPeak,
            BackendPeakBytes = trainingBackendPeak,
            ClipPeakResidentBytes = clipPeak,
        };
    }

    /// <summary>The convolution plans of the layers on a CPU backend (none elsewhere: cuDNN searches its own).</summary>
    private static IReadOnlyList<LayerPlan> Plans(IBackend backend, IReadOnlyList<ConvolutionLayer> layers) =>
        backend is not Core.Backends.Cpu.CpuBackend cpu
            ? []
            : layers.Select(l =>
            {
                var plan = cpu.ConvolutionPlan(l.Input, l.Filter, l.Geometry);
                return new LayerPlan(l.Path, l.Input.ToString(), Name(plan.Forward), Name(plan.DataGradient), Name(plan.FilterGradient),
                    plan.ReserveFloats * 4 / 1048576.0);
            }).ToList();

    private static string Name(Enum algorithm) => Core.Backends.Cpu.Convolution.ConvolutionPlan.Name(algorithm);

    private IReadOnlyList<LayerTiming> ProfileLayers(DeepImpressionNet net, Optimizer optimizer, Tensor audio, Tensor frames, Tensor targets,
        IReadOnlyList<LayerInfo> describe)
    {
        var backend = audio.Backend;
        var forward = new Dictionary<string, double>();
        var backward = new Dictionary<string, double>();
        var order = new List<string>();

        Tensor Time(string layer, Func<Tensor> run)
        {
            using var tag = Backprop.Tagged(layer);
            backend.Synchronize();
            long t0 = Stopwatch.GetTimestamp();
            var result = run();
            backend.Synchronize();
            forward[layer] = forward.GetValueOrDefault(layer) + Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
            if (!order.Contains(layer)) order.Add(layer);
            return result;
        }

        Tensor Stream(string prefix, ResidualStream s, Tensor x)
        {
            var h = Time(prefix + "conv1_relu", () => s.Conv1.Forward(x));
            h = Time(prefix + "pool1", () => Op.MaxPool2d(h, s.Geometry.Pool1));
            for (int i = 0; i < s.Blocks.Count; i++)
            {
                var block = s.Blocks[i];
                var input = h;
                h = Time(prefix + ResidualStream.BlockNames[i], () => block.Forward(input));
            }
            return Time(prefix + "pool5", () => Op.GlobalAveragePool(h));
        }

        using var scope = TensorScope.Begin();
        net.SetTraining(true);
        net.ZeroGradients();
        var a = Stream("aud/", net.Auditory, audio);
        var v = Stream("vis/", net.Visual, frames);
        var y = Time("fc", () => net.Fuse(a, v));
        var loss = Time("loss", () => Op.MeanAbsoluteError(y, targets));

        Backprop.NodeTimer = (node, elapsed) =>
        {
            var key = node.Tag ?? "other";
            backward[key] = backward.GetValueOrDefault(key) + elapsed.TotalMilliseconds;
        };
        try
        {
            loss.Backward();
        }
        finally
        {
            Backprop.NodeTimer = null;
        }
        long t0 = Stopwatch.GetTimestamp();
        optimizer.Step();
        backend.Synchronize();
        double optimizerMs = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;

        var gflop = describe.ToDictionary(r => r.Path, r => 2.0 * r.MultiplyAdds / 1e9);
        var rows = order.Select(l => new LayerTiming(l, forward[l], backward.GetValueOrDefault(l), gflop.GetValueOrDefault(l))).ToList();
        rows.Add(new LayerTiming("optimizer (Adam)", 0, optimizerMs, 0));
        return rows;
    }

    private static double TimeClip(DeepImpressionNet net, int frameCount, int audioSamples, int chunk)
    {
        var rng = new Rng(3);
        var waveform = new float[audioSamples];
        for (int i = 0; i < waveform.Length; i++) waveform[i] = (float)(rng.NextDouble() * 2 - 1);
        var frames = new RepeatedFrames(frameCount, DeepImpressionNet.TestFrameHeight, DeepImpressionNet.TestFrameWidth, rng);
        net.PredictClip(waveform, new RepeatedFrames(Math.Min(2, frameCount), 256, 456, rng), chunk); // warm-up
        long t0 = Stopwatch.GetTimestamp();
        net.PredictClip(waveform, frames, chunk);
        return Stopwatch.GetElapsedTime(t0).TotalSeconds;
    }

    /// <summary>Resets the kernel's record of peak resident memory (Linux 4.0+), so the next reading covers what follows.</summary>
    private static void ResetPeakResident()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    /// <summary>Peak resident set of this process (VmHWM), or the GC's view where /proc is missing.</summary>
    public static long PeakResidentBytes()
    {
        try
        {
            var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
            if (line is not null && long.TryParse(line[6..].Trim().Split(' ')[0], out var kb)) return kb * 1024;
        }
        catch (IOException) { }
        return Process.GetCurrentProcess().PeakWorkingSet64;
    }

    // Frames for timing: one random frame repeated, so that generating input costs nothing.
    private sealed class RepeatedFrames : IFrameSource
    {
        private readonly float[] _frame;

        public RepeatedFrames(int count, int height, int width, Rng rng)
        {
            (FrameCount, Height, Width) = (count, height, width);
            _frame = new float[3 * height * width];
            for (int i = 0; i < _frame.Length; i++) _frame[i] = (float)(rng.NextDouble() * 255);
        }

        public int FrameCount { get; }
        public int Height { get; }
        public int Width { get; }

        public void CopyFrames(int start, int count, Span<float> destination)
        {
            for (int f = 0; f < count; f++) _frame.CopyTo(destination.Slice(f * _frame.Length, _frame.Length));
        }
    }
}
