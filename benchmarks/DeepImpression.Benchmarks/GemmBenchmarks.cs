using BenchmarkDotNet.Attributes;
using DeepImpression.Core.Backends;
using DeepImpression.Core.Tensors;

namespace DeepImpression.Benchmarks;

/// <summary>
/// SGEMM at square sizes and at the sizes the network's lowered convolutions produce (M = output channels,
/// K = in·kh·kw, N = output pixels of one image). Compare the GFLOP/s with `deepimpression bench`'s measured FMA peak.
/// </summary>
[WarmupCount(1), IterationCount(5)]
public class GemmBenchmarks
{
    private IBackend _backend = null!;
    private Tensor _a = null!, _b = null!, _c = null!;

    [Params("1024x1024x1024", "32x147x12544", "32x49x12544", "32x288x3249", "64x288x785", "128x1152x225", "256x2304x64")]
    public string Size { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        var d = Size.Split('x').Select(int.Parse).ToArray();
        var rng = new Rng(1);
        _backend = BackendRegistry.Get(Device.Cpu);
        _a = Tensor.RandomNormal(new Shape(d[0], d[1]), rng);
        _b = Tensor.RandomNormal(new Shape(d[1], d[2]), rng);
        _c = Tensor.Empty(new Shape(d[0], d[2]));
    }

    [Benchmark]
    public void Sgemm() => _backend.Gemm(false, false, 1f, _a, _b, 0f, _c);
}
