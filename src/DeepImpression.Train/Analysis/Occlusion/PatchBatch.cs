using DeepImpression.Core.Backends;
using DeepImpression.Core.Ops;
using DeepImpression.Core.Tensors;

namespace DeepImpression.Train.Analysis.Occlusion;

/// <summary>
/// The patches of one batch of consecutive masks while incremental inference walks the stages: for each node computed
/// so far, a (count, C, box H, box W) tensor holding that node's values over each mask's box. A stage reads its inputs
/// through <see cref="Crop"/>: the window its output boxes need, taken from the unmasked cache (with the layer's
/// padding value outside the map) and overwritten by the recomputed patch where the two meet.
/// </summary>
internal sealed class PatchBatch
{
    private readonly IncrementalPlan _plan;
    private readonly IReadOnlyList<Tensor> _cache;
    private readonly Tensor?[] _patches;
    private int _output;

    internal PatchBatch(IncrementalPlan plan, IReadOnlyList<Tensor> cache, PlanGroup group, IReadOnlyList<int> masks, Tensor inputPatches)
    {
        _plan = plan;
        _cache = cache;
        Group = group;
        Masks = masks;
        _patches = new Tensor?[plan.Graph.Nodes.Count];
        _patches[0] = inputPatches;
    }

    /// <summary>The plan group all masks of the batch belong to: their patches have its sizes.</summary>
    public PlanGroup Group { get; }

    /// <summary>The masks, in batch order.</summary>
    public IReadOnlyList<int> Masks { get; }

    public int Count => Masks.Count;

    /// <summary>The recomputed values of <paramref name="node"/> over each mask's box.</summary>
    public Tensor Patch(int node) => _patches[node] ?? throw new InvalidOperationException($"node {node} has not been computed in this batch.");

    /// <summary>Runs <paramref name="stage"/> on this batch and keeps its output patches.</summary>
    internal void Run(IncrementalStage stage)
    {
        _output = stage.Output;
        var patch = stage.ComputePatch(this);
        var expected = Group.BoxSize[stage.Output];
        if (patch.Dim(2) != expected.H || patch.Dim(3) != expected.W)
            throw new InvalidOperationException($"{stage.Name}: the patch is {patch.Dim(2)}x{patch.Dim(3)}, the plan's box {expected.H}x{expected.W}.");
        _patches[stage.Output] = patch;
    }

    /// <summary>
    /// For each mask, the window of <paramref name="node"/> that the current stage's output box reads through
    /// <paramref name="rows"/> and <paramref name="columns"/>, as one (count, C, window H, window W) tensor; cells
    /// outside the node read <paramref name="outsideValue"/> (the layer's padding).
    /// </summary>
    public Tensor Crop(int node, AxisWindow rows, AxisWindow columns, float outsideValue)
    {
        var (outH, outW) = Group.BoxSize[_output];
        int windowH = rows.WindowLength(outH), windowW = columns.WindowLength(outW);
        var (channels, _, _) = _plan.Graph.Nodes[node];
        var crop = Tensor.Empty(new Shape(Count, channels, windowH, windowW), _cache[node].Device);
        var fromCache = new WindowCopy[Count];
        var fromPatch = new List<WindowCopy>(Count);
        for (int b = 0; b < Count; b++)
        {
            var outBox = _plan.PatchBox(_output, Masks[b]);
            int y = rows.WindowStart(outBox.Rows.Start), x = columns.WindowStart(outBox.Columns.Start);
            fromCache[b] = new WindowCopy(0, y, x, b, 0, 0, windowH, windowW);
            var patchBox = _plan.PatchBox(node, Masks[b]);
            var meet = patchBox.Intersect(new Box(new Interval(y, y + windowH), new Interval(x, x + windowW)));
            if (!meet.IsEmpty)
                fromPatch.Add(new WindowCopy(b, meet.Rows.Start - patchBox.Rows.Start, meet.Columns.Start - patchBox.Columns.Start,
                    b, meet.Rows.Start - y, meet.Columns.Start - x, meet.Rows.Length, meet.Columns.Length));
        }
        Op.CopyWindows(_cache[node], crop, fromCache, outsideValue);
        Op.CopyWindows(Patch(node), crop, fromPatch, outsideValue);
        return crop;
    }
}
