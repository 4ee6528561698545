using System.Diagnostics;
using DeepImpression.Core.Autograd;
using DeepImpression.Core.Model;
using DeepImpression.Core.Tensors;

namespace DeepImpression.Train.Analysis.Occlusion;

/// <summary>
/// One stream's features for every mask of a grid, averaged over several inputs (the frames the test-time procedure
/// averages), by either <see cref="OcclusionMethod"/>: masks go through in batches of <see cref="BatchSize"/>
/// (Captum's <c>perturbations_per_eval</c>). Only backend primitives run on the device, so any device works.
/// </summary>
internal sealed class StreamOcclusion
{
    private readonly ResidualStream _stream;

    public StreamOcclusion(ResidualStream stream, OcclusionGrid grid, MaskFill fill, OcclusionMethod method, int batchSize)
    {
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), $"the batch size must be at least 1, got {batchSize}.");
        _stream = stream;
        Grid = grid;
        Fill = fill;
        Method = method;
        BatchSize = batchSize;
        // The plan serves both methods: it is the analytic cost of each.
        Plan = new IncrementalPlan(IncrementalGraph.Build(stream, grid.Rows.Length, grid.Columns.Length), grid);
    }

    public OcclusionGrid Grid { get; }
    public MaskFill Fill { get; }
    public OcclusionMethod Method { get; }
    public int BatchSize { get; }
    public IncrementalPlan Plan { get; }

    /// <summary>Multiply-adds the chosen method spends per input (all masks).</summary>
    public long MultiplyAddsPerInput => Method == OcclusionMethod.Naive ? Plan.NaiveMultiplyAdds : Plan.IncrementalMultiplyAdds;

    /// <summary>
    /// The features of every masked input (masks x features, row-major) and of the unmasked input, each averaged over
    /// <paramref name="inputs"/> (each C x H x W on the host). <paramref name="progress"/> counts masked inputs done.
    /// </summary>
    public MaskedFeatures Run(IReadOnlyList<float[]> inputs, Device device, IProgress<(int Done, int Total)>? progress = null,
        CancellationToken cancellation = default)
    {
        if (inputs.Count == 0) throw new ArgumentException("no input to mask.", nameof(inputs));
        IncrementalStream.RequireEvaluationMode(_stream);
        var (channels, h, w) = Plan.Graph.Nodes[0];
        int features = _stream.FeatureCount, masks = Grid.Count, total = masks * inputs.Count;
        var sum = new double[masks * features];
        var baseline = new double[features];
        var clock = Stopwatch.StartNew();
        using var incremental = Method == OcclusionMethod.Incremental ? new IncrementalStream(Plan) : null;
        using var noGrad = Backprop.NoGrad();
        for (int k = 0; k < inputs.Count; k++)
        {
            var input = inputs[k];
            if (input.Length != channels * h * w) throw new ArgumentException($"input {k} has {input.Length} values, not {channels}x{h}x{w}.", nameof(inputs));
            var fill = Fill.Resolve(input, channels);
            float[] unmasked;
            using (var scope = TensorScope.Begin())
            {
                var x = Tensor.FromArray(input, new Shape(1, channels, h, w), device);
                if (incremental is not null)
                {
                    incremental.SetInput(x);
                    unmasked = incremental.BaselineFeatures;
                }
                else unmasked = _stream.Forward(x).ToArray();
            }
            Accumulate(baseline, 0, unmasked);


            int done = k * masks;
            foreach (var batch in Batches())
            {
                cancellation.ThrowIfCancellationRequested();
                using var scope = TensorScope.Begin();
                var (boxH, boxW) = incremental is null ? (h, w) : Plan.GroupOf(batch[0]).BoxSize[0];
                var host = new float[batch.Length * channels * boxH * boxW];
                float[] result;
                if (incremental is not null)
                {
                    MaskedInputs.Patches(input, channels, Plan, batch, fill, host);
                    result = incremental.Features(batch, Tensor.FromArray(host, new Shape(batch.Length, channels, boxH, boxW), device));
                }
                else
                {
                    MaskedInputs.Whole(input, channels, Grid, batch[0], batch.Length, fill, host);
                    result = _stream.Forward(Tensor.FromArray(host, new Shape(batch.Length, channels, h, w), device)).ToArray();
                }
                for (int b = 0; b < batch.Length; b++) Accumulate(sum, batch[b] * features, result.AsSpan(b * features, features));
                done += batch.Length;
                progress?.Report((done, total));
            }
        }
        return new MaskedFeatures(
            baseline.Select(v => (float)(v / inputs.Count)).ToArray(),
            sum.Select(v => (float)(v / inputs.Count)).ToArray(),
            features, clock.Elapsed);
    }

    /// <summary>The masks in batches of at most <see cref="BatchSize"/>: consecutive masks for the naive path, masks
    /// of one plan group for the incremental one.</summary>
    private IEnumerable<int[]> Batches()
    {
        IEnumerable<int[]> groups = Method == OcclusionMethod.Naive ? [Enumerable.Range(0, Grid.Count).ToArray()] : Plan.Groups.Select(g => g.Masks);
        foreach (var masks in groups)
            for (int first = 0; first < masks.Length; first += BatchSize)
                yield return masks[first..Math.Min(masks.Length, first + BatchSize)];
    }

    private static void Accumulate(double[] sum, int offset, ReadOnlySpan<float> values)
    {
        for (int i = 0; i < values.Length; i++) sum[offset + i] += values[i];
    }
}

/// <summary>A stream's features of the unmasked input and of every masked one (masks x <see cref="FeatureCount"/>).</summary>
internal sealed record MaskedFeatures(float[] Baseline, float[] Masked, int FeatureCount, TimeSpan Elapsed)
{
    public int MaskCount => Masked.Length / FeatureCount;
}
