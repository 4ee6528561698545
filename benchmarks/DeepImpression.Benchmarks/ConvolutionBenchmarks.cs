using BenchmarkDotNet.Attributes;
using DeepImpression.Core.Backends;
using DeepImpression.Core.Tensors;

namespace DeepImpression.Benchmarks;

/// <summary>Forward, backward-data and backward-filter of each convolution shape of the network, batch 32, CPU.</summary>
[MemoryDiagnoser]
[WarmupCount(1), IterationCount(5)]
public class ConvolutionBenchmarks
{
    private IBackend _backend = null!;
    private Tensor _x = null!, _w = null!, _b = null!, _y = null!, _dx = null!, _dw = null!;

    public static IEnumerable<ConvolutionShape> Shapes => ConvolutionShape.All();

    [ParamsSource(nameof(Shapes))]
    public ConvolutionShape Shape { get; set; } = null!;

    [Params(32)]
    public int Batch { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _backend = BackendRegistry.Get(Device.Cpu);
        var rng = new Rng(1);
        var s = Shape;
        var (oh, ow) = s.Geometry.OutputShape(s.InH, s.InW, s.KernelH, s.KernelW);
        _x = Tensor.RandomNormal(new Shape(Batch, s.InChannels, s.InH, s.InW), rng);
        _w = Tensor.RandomNormal(new Shape(s.OutChannels, s.InChannels, s.KernelH, s.KernelW), rng);
        _b = Tensor.RandomNormal(new Shape(s.OutChannels), rng);
        _y = Tensor.RandomNormal(new Shape(Batch, s.OutChannels, oh, ow), rng);
        _dx = Tensor.Empty(_x.Shape);
        _dw = Tensor.Empty(_w.Shape);
    }

    [Benchmark]
    public void Forward() => _backend.ConvolutionForward(_x, _w, _b, _y, Shape.Geometry);

    [Benchmark]
    public void BackwardData() => _backend.ConvolutionBackwardData(_w, _y, _dx, Shape.Geometry);

    [Benchmark]
    public void BackwardFilter() => _backend.ConvolutionBackwardFilter(_x, _y, _dw, Shape.Geometry);
}
