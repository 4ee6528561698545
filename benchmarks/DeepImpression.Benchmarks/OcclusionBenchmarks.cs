using BenchmarkDotNet.Attributes;
using DeepImpression.Core.Model;
using DeepImpression.Core.Tensors;
using DeepImpression.Train.Analysis.Occlusion;
using DeepImpression.Train.Analysis;

namespace DeepImpression.Benchmarks;

/// <summary>
/// Pixel occlusion of one 456 x 256 frame, the naive batched path (a full visual forward per masked frame) against
/// incremental inference, CPU. 10 x 10 masks every 4 pixels across, every <see cref="RowStride"/> pixels down (a
/// sample of the poster's full grid with the same columns and borders, so that a naive invocation stays under a
/// minute); per-mask costs carry over to the full 7,296-mask map. The Ratio column is the time speed-up; the analytic
/// multiply-adds of both paths are printed at setup.
/// </summary>
[WarmupCount(1), IterationCount(3), InvocationCount(1)]
public class OcclusionBenchmarks
{
    private DeepImpressionNet _net = null!;
    private float[][] _frame = null!;
    private OcclusionGrid _grid = null!;

    [Params(64)]
    public int RowStride { get; set; }

    [GlobalSetup]
    public void Setup() => Setup(log: true);

    private void Setup(bool log)
    {
        _net = new DeepImpressionNet(Device.Cpu, seed: 1);
        _net.SetTraining(false);
        var rng = new Rng(2);
        _frame = [Tensor.RandomUniform(new Shape(3, 256, 456), rng, 0, 255).ToArray()];
        _grid = new OcclusionGrid(new MaskAxis(256, 10, RowStride, true), new MaskAxis(456, 10, 4, true));
        var plan = new StreamOcclusion(_net.Visual, _grid, MaskFill.InputMean, OcclusionMethod.Incremental, 32).Plan;
        if (log) Console.WriteLine($"// {_grid.Count} masks: naive {2 * plan.NaiveMultiplyAdds / 1e9:F1} GFLOP, incremental {2 * plan.IncrementalMultiplyAdds / 1e9:F1} GFLOP " +
                          $"({plan.NaiveMultiplyAdds / (double)plan.IncrementalMultiplyAdds:F2}x fewer)");
    }

    [Benchmark(Baseline = true)]
    public int Naive() => Run(OcclusionMethod.Naive, batch: 8);

    [Benchmark]
    public int Incremental() => Run(OcclusionMethod.Incremental, batch: 32);

    /// <summary>
    /// The two paths alternated <paramref name="rounds"/> times in one process (naive, incremental, naive, ...), so that
    /// each ratio compares runs a few seconds apart on a machine whose speed drifts: <c>-- --occlusion-ab [rounds]</c>.
    /// </summary>
    public static void Alternate(int rounds, int rowStride)
    {
        var bench = new OcclusionBenchmarks { RowStride = rowStride };
        bench.Setup(log: true);
        bench.Incremental();  // warm-up: JIT, pools
        bench.Naive();
        var ratios = new List<double>();
        for (int r = 0; r < rounds; r++)
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            bench.Naive();
            double naive = clock.Elapsed.TotalSeconds;
            clock.Restart();
            bench.Incremental();
            double incremental = clock.Elapsed.TotalSeconds;
            ratios.Add(naive / incremental);
            Console.WriteLine($"round {r + 1}: naive {naive:F2} s, incremental {incremental:F2} s, {naive / incremental:F2}x");
        }
        ratios.Sort();
        Console.WriteLine($"median {ratios[ratios.Count / 2]:F2}x (range {ratios[0]:F2} to {ratios[^1]:F2}) over {rounds} rounds");
    }

    private int Run(OcclusionMethod method, int batch) =>
        new StreamOcclusion(_net.Visual, _grid, MaskFill.InputMean, method, batch).Run(_frame, Device.Cpu).MaskCount;
}
