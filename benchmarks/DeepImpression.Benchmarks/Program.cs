using BenchmarkDotNet.Running;

namespace DeepImpression.Benchmarks;

public static class Program
{
    public static void Main(string[] args)
    {
        // Occlusion's A/B ratio (both paths alternated in one process) is not a BenchmarkDotNet suite: see OcclusionBenchmarks.Alternate.
        if (args is ["--occlusion-ab", ..])
        {
            OcclusionBenchmarks.Alternate(args.Length > 1 ? int.Parse(args[1]) : 5, args.Length > 2 ? int.Parse(args[2]) : 64);
            return;
        }
        // One long measurement that BenchmarkDotNet's repetitions do not suit.
        if (args is ["long-clip", ..]) LongClipMemory.Run(args[1..]);
        else BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    }
}
