using DeepImpression.Core.Autograd;
using DeepImpression.Core.Backends;
using DeepImpression.Core.Model;
using DeepImpression.Core.Ops;
using DeepImpression.Core.Tensors;

namespace DeepImpression.Train.Analysis.Occlusion;

/// <summary>
/// Incremental inference for occlusion (the idea of Krypton, Nakandala et al., SIGMOD 2019): the stream's features of
/// many masked copies of one input, recomputing for each mask only the region of each layer that the mask can reach.
/// <see cref="SetInput"/> runs the unmasked input once and caches every activation; <see cref="Features"/> then
/// walks the stages for a batch of masks, each stage cropping its input windows (with their padding) from the cache
/// plus the patches recomputed so far, running the same layer primitives on the batch of crops, and the global
/// average at the end adds each patch's difference to the cached sum. Evaluation-mode batch normalization is per
/// element, so the result equals a full forward of every masked input up to float rounding.
/// </summary>
internal sealed class IncrementalStream : IDisposable
{
    private readonly List<Tensor> _cache = [];
    private Tensor? _baseline;

    public IncrementalStream(ResidualStream stream, OcclusionGrid grid)
        : this(new IncrementalPlan(IncrementalGraph.Build(stream, grid.Rows.Length, grid.Columns.Length), grid)) { }

    /// <summary>With a plan already made (its graph holds the stream's layers).</summary>
    public IncrementalStream(IncrementalPlan plan)
    {
        Graph = plan.Graph;
        Plan = plan;
    }

    public IncrementalGraph Graph { get; }
    public IncrementalPlan Plan { get; }

    /// <summary>The unmasked input's features (the stream's output), after <see cref="SetInput"/>.</summary>
    public float[] BaselineFeatures { get; private set; } = [];

    /// <summary>Caches every activation of <paramref name="input"/> (1, C, H, W), the input all masks are applied to.</summary>
    public void SetInput(Tensor input)
    {
        var (c, h, w) = Graph.Nodes[0];
        if (input.Rank != 4 || input.Dim(0) != 1 || input.Dim(1) != c || input.Dim(2) != h || input.Dim(3) != w)
            throw new ArgumentException($"the input must be (1,{c},{h},{w}), got {input.Shape}.");
        RequireEvaluationMode(Graph.Stream);
        ReleaseCache();
        using var noGrad = Backprop.NoGrad();
        using var scope = TensorScope.Begin();
        var nodes = new List<Tensor> { input };
        foreach (var stage in Graph.Stages) nodes.Add(stage.ComputeFull(nodes));
        _baseline = TensorScope.Detach(Op.GlobalAveragePool(nodes[^1]));
        BaselineFeatures = _baseline.ToArray();
        // The input belongs to the caller; keep a copy so that the cache outlives it.
        _cache.Add(TensorScope.Detach(input.To(input.Device)));
        foreach (var node in nodes.Skip(1)) _cache.Add(TensorScope.Detach(node));
    }

    /// <summary>
    /// Features (masks x channels, row-major, on the host) of the masked inputs of <paramref name="masks"/>, which
    /// must all belong to one plan group, from <paramref name="inputPatches"/>: (masks, C, box H, box W), the masked
    /// input over each mask's input box (<see cref="IncrementalPlan.PatchBox"/> of node 0).
    /// </summary>
    public float[] Features(IReadOnlyList<int> masks, Tensor inputPatches)
    {
        if (_baseline is null) throw new InvalidOperationException("SetInput first.");
        RequireEvaluationMode(Graph.Stream);
        if (masks.Count == 0) return [];
        var group = Plan.GroupOf(masks[0]);
        if (masks.Any(m => !ReferenceEquals(Plan.GroupOf(m), group)))
            throw new ArgumentException("the masks of one batch must belong to one plan group.", nameof(masks));
        int count = masks.Count;
        var inputBox = group.BoxSize[0];
        if (inputPatches.Rank != 4 || inputPatches.Dim(0) != count || inputPatches.Dim(1) != Graph.Nodes[0].C || inputPatches.Dim(2) != inputBox.H || inputPatches.Dim(3) != inputBox.W)
            throw new ArgumentException($"input patches must be ({count},{Graph.Nodes[0].C},{inputBox.H},{inputBox.W}), got {inputPatches.Shape}.");

        using var noGrad = Backprop.NoGrad();
        using var scope = TensorScope.Begin();
        var batch = new PatchBatch(Plan, _cache, group, masks, inputPatches);
        foreach (var stage in Graph.Stages) batch.Run(stage);

        // Global average: the cached mean plus, per mask, (Σ patch − Σ cache over the same box) / (H·W).
        int last = Graph.LastNode;
        var (_, h, w) = Graph.Nodes[last];
        var (boxH, boxW) = group.BoxSize[last];
        var patch = batch.Patch(last);
        var cached = Tensor.Empty(patch.Shape, patch.Device);
        var boxes = new WindowCopy[count];
        for (int b = 0; b < count; b++)
        {
            var box = Plan.PatchBox(last, masks[b]);
            boxes[b] = new WindowCopy(0, box.Rows.Start, box.Columns.Start, b, 0, 0, boxH, boxW);
        }
        Op.CopyWindows(_cache[last], cached, boxes, 0f);
        var change = Op.Scale(Op.GlobalAveragePool(Op.Add(patch, Op.Scale(cached, -1f))), (float)((double)boxH * boxW / ((double)h * w)));
        var features = Op.Add(change, Op.Concat(Enumerable.Repeat(_baseline, count).ToArray(), 0));
        return features.ToArray();
    }

    public void Dispose() => ReleaseCache();

    /// <summary>Masked and unmasked inputs must meet the same, fixed, batch-norm statistics: the running ones.</summary>
    internal static void RequireEvaluationMode(ResidualStream stream)
    {
        if (stream.IsTraining)
            throw new InvalidOperationException("occlusion needs the network in evaluation mode (SetTraining(false)): in training mode batch norm would normalize each batch by its own statistics.");
    }

    private void ReleaseCache()
    {
        foreach (var t in _cache) t.Dispose();
        _cache.Clear();
        _baseline?.Dispose();
        _baseline = null;
    }
}
