using BenchmarkDotNet.Running;

namespace DeepImpression.Benchmarks;

public static class Program
{
    // dotnet run -c Release --project benchmarks/DeepImpression.Benchmarks -- --filter '*Gemm*'
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
