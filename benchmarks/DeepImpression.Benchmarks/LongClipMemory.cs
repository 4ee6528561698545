using System.Diagnostics;
using System.Globalization;
using DeepImpression.Core.Model;
using DeepImpression.Core.Tensors;
using DeepImpression.Train.Benchmarking;
using DeepImpression.Train.Data.Decoding;
using DeepImpression.Train.Evaluation;

namespace DeepImpression.Benchmarks;

/// <summary>
/// Peak memory of scoring a long clip with <see cref="VideoPredictor"/> (what <c>predict</c> runs): a 15-s clip, then a
/// long one (default 10 minutes at 30 fps, every frame at 456 x 256), both made with ffmpeg, in one process; the peak
/// resident memory (VmHWM) after each. Memory independent of the clip's length shows as the same peak after both.
/// Not a BenchmarkDotNet suite (one run of minutes, measured once):
/// <c>dotnet run -c Release --project benchmarks/DeepImpression.Benchmarks -- long-clip [--minutes 10] [--fps 30] [--chunk 32]</c>.
/// </summary>
public static class LongClipMemory
{
    public static void Run(string[] args)
    {
        double minutes = Option(args, "--minutes", 10);
        int fps = (int)Option(args, "--fps", 30);
        int chunk = (int)Option(args, "--chunk", VideoPredictor.DefaultChunkSize);
        string folder = Path.Combine(Path.GetTempPath(), "deepimpression-long-clip-bench");
        Directory.CreateDirectory(folder);

        var net = new DeepImpressionNet(Device.Cpu, seed: 1);
        net.SetTraining(false);
        var predictor = new VideoPredictor(net, chunk);
        Console.WriteLine($"start: peak resident {Mib(NetworkBenchmark.PeakResidentBytes())} MiB");
        foreach (double seconds in new[] { 15.0, minutes * 60 })
        {
            string clip = MakeClip(folder, seconds, fps);
            var clock = Stopwatch.StartNew();
            var result = predictor.Score(clip);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{seconds:0} s clip at {fps} fps ({result.Frames.Used} frames, {result.AudioSamples:N0} audio samples): {clock.Elapsed.TotalSeconds:F0} s, " +
                $"peak resident memory so far {Mib(NetworkBenchmark.PeakResidentBytes())} MiB (managed heap now {Mib(GC.GetTotalMemory(false))} MiB)"));
        }
    }

    private static string Mib(long bytes) => (bytes / 1048576.0).ToString("F0", CultureInfo.InvariantCulture);

    private static double Option(string[] args, string name, double fallback)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? double.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
    }

    /// <summary>A clip of moving test pattern and a tone, at the network's frame size (made once, then reused).</summary>
    private static string MakeClip(string folder, double seconds, int fps)
    {
        string path = Path.Combine(folder, string.Create(CultureInfo.InvariantCulture, $"clip-{seconds:0}s-{fps}fps.mp4"));
        if (File.Exists(path)) return path;
        string duration = seconds.ToString(CultureInfo.InvariantCulture);
        var run = ExternalTool.Run(ExternalTool.Ffmpeg,
            ["-nostdin", "-v", "error", "-y",
             "-f", "lavfi", "-i", $"testsrc2=size=456x256:rate={fps}:duration={duration}",
             "-f", "lavfi", "-i", $"sine=frequency=220:sample_rate=16000:duration={duration}",
             "-c:v", "libx264", "-preset", "ultrafast", "-crf", "30", "-c:a", "aac", "-shortest", path + ".tmp.mp4"]);
        if (!run.Succeeded) throw new InvalidOperationException($"ffmpeg could not make the clip: {run.LastStderrLine}");
        File.Move(path + ".tmp.mp4", path);
        return path;
    }
}
