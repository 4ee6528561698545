using DeepImpression.Train.Devices;
using System.CommandLine;
using System.Text.Json;
using DeepImpression.Core.Backends;
using DeepImpression.Train.Benchmarking;
using Spectre.Console;

namespace DeepImpression.Train.Commands;

/// <summary><c>deepimpression bench</c>: training and test-time speed of the network on this machine, beside the published K80 figures.</summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var device = new Option<string>("--device") { Description = "cpu, cuda or cuda:N", DefaultValueFactory = _ => "cpu" };
        var batch = new Option<string>("--batch-size") { Description = "training batch sizes, comma-separated (the first is profiled layer by layer)", DefaultValueFactory = _ => "32,8" };
        var steps = new Option<int>("--steps") { Description = "timed training steps per batch size (the median is reported)", DefaultValueFactory = _ => 3 };
        var noClip = new Option<bool>("--no-clip") { Description = "skip the test-time clip" };
        var clipFrames = new Option<int>("--clip-frames") { Description = "frames of the test-time clip", DefaultValueFactory = _ => 459 };
        var json = new Option<bool>("--json") { Description = "print the result as JSON (for CI)" };
        var deterministic = DeviceSelection.DeterministicOption();
        var command = new Command("bench", "Measure training and test-time speed: FMA peak, the convolution plan of every layer, per-layer times, " +
                                           "ms per training example, GFLOP/s and % of peak, clip inference time and peak memory, beside the published " +
                                           "Tesla K80 figures.")
        {
            device, batch, steps, noClip, clipFrames, json, deterministic,
        };
        command.SetAction(parse =>
        {
            var dev = DeviceResolver.Resolve(parse.GetValue(device)!, parse.GetValue(deterministic));
            var sizes = ParseBatchSizes(parse.GetValue(batch)!);
            int s = parse.GetValue(steps), frames = parse.GetValue(clipFrames);
            if (s < 1) throw new Core.InvalidInputException("--steps must be at least 1.");
            if (frames < 1) throw new Core.InvalidInputException("--clip-frames must be at least 1.");
            bool asJson = parse.GetValue(json);
            var bench = new NetworkBenchmark(dev, sizes, s) { Log = asJson ? null : m => Console.Error.WriteLine(m) };
            var result = bench.Run(measurePeak: dev.Kind == Core.Tensors.DeviceKind.Cpu, runClip: !parse.GetValue(noClip), clipFrames: frames);
            if (BackendRegistry.Get(dev) is Cuda.CudaBackend cuda) result = result with { ConvolutionSearches = cuda.ConvolutionSearches };
            if (asJson) Console.WriteLine(JsonSerializer.Serialize(result, new JsonSerializerOptions { WriteIndented = true }));
            else Print(ConsoleOutput.Create(), result);
            return 0;
        });
        return command;
    }

    /// <summary>"32,8" as batch sizes, each at least 2 (batch normalization needs two examples).</summary>
    internal static IReadOnlyList<int> ParseBatchSizes(string text)
    {
        var sizes = new List<int>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!int.TryParse(part, out int n) || n < 2)
                throw new Core.InvalidInputException($"--batch-size: '{part}' is not a batch size of at least 2 (batch normalization needs two examples).");
            sizes.Add(n);
        }
        if (sizes.Count == 0) throw new Core.InvalidInputException("--batch-size: no batch size given.");
        return sizes;
    }

    public static void Print(IAnsiConsole console, BenchResult r)
    {
        console.WriteLine($"machine: {r.Machine}");
        console.WriteLine($"device:  {r.Device} — {r.Backend}");
        if (r.FmaPeakGflops is { } peak) console.WriteLine($"measured single-precision FMA peak: {peak:F0} GFLOP/s (all cores)");
        foreach (var run in r.Training) PrintPlans(console, $"convolution plans, training batch {run.BatchSize}", run.Plans);
        if (r.ClipSeconds is not null) PrintPlans(console, $"convolution plans, test-time clip (visual chunks of {r.ClipChunk})", r.ClipPlans);
        var first = r.Training[0];
        var table = new Table().Border(TableBorder.Simple).Title($"one training step at batch {first.BatchSize}").AddColumn("layer")
            .AddColumn(new TableColumn("forward ms").RightAligned()).AddColumn(new TableColumn("backward ms").RightAligned())
            .AddColumn(new TableColumn("fwd GFLOP").RightAligned()).AddColumn(new TableColumn("fwd GFLOP/s").RightAligned());
        foreach (var l in r.Layers)
            table.AddRow(l.Layer, l.ForwardMs.ToString("F1"), l.BackwardMs.ToString("F1"), l.Gflop.ToString("F2"),
                l.ForwardMs > 0 && l.Gflop > 0 ? (l.Gflop / (l.ForwardMs / 1000)).ToString("F0") : "");
        console.Write(table);
        console.WriteLine("Rates count the direct convolution's FLOPs (effective rates: Winograd needs fewer multiplications).");
        foreach (var run in r.Training)
        {
            console.WriteLine($"training step, batch {run.BatchSize}: {run.StepMs:F0} ms = {run.MsPerExample:F1} ms per example " +
                              $"(published K80: {r.K80MsPerTrainingExample:F0} ms; {r.K80MsPerTrainingExample / run.MsPerExample:F2}x)");
            if (run.Steps > 1)
                console.WriteLine($"  median of {run.Steps} steps; fastest {run.FastestStepMs:F0} ms, slowest {run.SlowestStepMs:F0} ms" +
                                  (run.SlowestStepMs > 1.1 * run.FastestStepMs ? " (a spread over 10 %: something else took cores from some steps)" : ""));
            console.WriteLine($"  effective {run.AchievedGflops:F0} GFLOP/s over {run.GflopPerStep:F0} GFLOP per step" +
                              (run.PercentOfPeak is { } pct ? $" ({pct:F0}% of the measured peak)" : ""));
        }
        if (r.ClipSeconds is { } clip)
            console.WriteLine($"test-time clip ({r.ClipAudioSamples:N0} samples, {r.ClipFrames} frames at 456x256, chunks of {r.ClipChunk}): {clip:F2} s " +
                              $"(published K80: {r.K80SecondsPerTestClip} s; {r.K80SecondsPerTestClip / clip:F2}x); effective {r.ClipGflops:F0} GFLOP/s over {r.ClipGflop:F0} GFLOP" +
                              (r.ClipPercentOfPeak is { } clipPct ? $" ({clipPct:F0}% of the measured peak)" : ""));
        if (r.ConvolutionSearches is { } searches)
            console.WriteLine($"peak device memory of the training steps: {r.BackendPeakBytes / 1048576.0:F0} MiB held by the allocator; " +
                              $"{searches} cuDNN algorithm searches in this process");
        console.WriteLine($"peak resident memory of the training steps at batch {first.BatchSize}: {r.PeakResidentBytes / 1048576.0:F0} MiB (backend buffers {r.BackendPeakBytes / 1048576.0:F0} MiB)" +
                          (r.ClipPeakResidentBytes is { } clipPeak ? $"; of the test-time clip: {clipPeak / 1048576.0:F0} MiB" : ""));
    }

    private static void PrintPlans(IAnsiConsole console, string title, IReadOnlyList<LayerPlan> plans)
    {
        if (plans.Count == 0) return;
        var table = new Table().Border(TableBorder.Simple).Title(title).AddColumn("layer").AddColumn("input").AddColumn("forward")
            .AddColumn("data gradient").AddColumn("filter gradient").AddColumn(new TableColumn("reserve MiB").RightAligned());
        foreach (var p in plans)
            table.AddRow(p.Layer, p.Input, p.Forward, p.DataGradient, p.FilterGradient, p.ReserveMiB > 0 ? p.ReserveMiB.ToString("F1") : "");
        console.Write(table);
    }
}
