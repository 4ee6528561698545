using BenchmarkDotNet.Attributes;
using DeepImpression.Core.Backends;
using DeepImpression.Core.Tensors;

namespace DeepImpression.Benchmarks;

/// <summary>
/// SGEMM, C = A·B, at 1024³; at the product of every distinct convolution of the network for one image, read off the
/// model (M = output channels, K = in·kh·kw, N = output positions: the lowered, im2col form of the layer); and at the
/// products the convolution kernels hand to the GEMM in training, one per layer over the whole batch (res4 and res5
/// at batch 8 and 32: forward and input gradient M x C·kh·kw x N·positions, filter gradient K x N·positions x C·kh·kw).
/// Compare the GFLOP/s with the FMA peak that `deepimpression bench` measures on the same machine.
/// </summary>
[WarmupCount(1), IterationCount(5)]
public class GemmBenchmarks
{
    private IBackend _backend = null!;
    private Tensor _a = null!, _b = null!, _c = null!;

    public static IEnumerable<string> Sizes() =>
        new[] { "1024x1024x1024" }
            .Concat(ConvolutionShape.All().Select(s => s.GemmSize).Distinct())
            .Concat(BatchProducts);

    private static readonly string[] BatchProducts =
    [
        "256x2304x400", "256x2304x512", "256x400x2304", "256x512x2304", "128x1576x1152", "128x1800x1152",
        "256x2304x1600", "256x2304x2048", "256x1600x2304", "256x2048x2304",
    ];

    [ParamsSource(nameof(Sizes))]
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
