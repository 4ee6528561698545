using BenchmarkDotNet.Running;

namespace DeepImpression.Benchmarks;

public static class Program
{
    public static void Main(string[] args)
    {
        // One long measurement that BenchmarkDotNet's repetitions do not suit.
        if (args is ["long-clip", ..]) LongClipMemory.Run(args[1..]);
        else BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    }
}
