using System.Globalization;
using System.Text;

namespace DeepImpression.Train.Analysis.Occlusion;

/// <summary>
/// What incremental inference computes for every mask of a grid, from the geometry alone: for each mask and node,
/// the exact region the mask changes (its <see cref="PatchBox"/>); and the masks grouped by the sizes of those
/// regions at every node, so that a batch of masks from one group runs as one batch of equal patches and computes
/// exactly the changed regions, nothing more. Masks differ in region size only by where they sit relative to the
/// strides and the borders, so there are few groups. Also the multiply-adds this costs beside a full forward per mask.
/// </summary>
internal sealed class IncrementalPlan
{
    private readonly Box[][] _changed;
    private readonly int[] _groupOf;

    public IncrementalPlan(IncrementalGraph graph, OcclusionGrid grid)
    {
        var (_, inH, inW) = graph.Nodes[0];
        if (grid.Rows.Length != inH || grid.Columns.Length != inW)
            throw new ArgumentException($"the mask grid is for {grid.Rows.Length}x{grid.Columns.Length} inputs, the stream's input is {inH}x{inW}.");
        Graph = graph;
        Grid = grid;
        int nodes = graph.Nodes.Count, masks = grid.Count;

        _changed = new Box[masks][];
        _groupOf = new int[masks];
        var groups = new List<PlanGroup>();
        var groupOfKey = new Dictionary<string, int>();
        var members = new List<List<int>>();
        for (int m = 0; m < masks; m++)
        {
            var boxes = new Box[nodes];
            boxes[0] = grid.Mask(m);
            foreach (var stage in graph.Stages) boxes[stage.Output] = stage.Reach(boxes);
            _changed[m] = boxes;
            string key = string.Join(",", boxes.Select(b => $"{b.Rows.Length}x{b.Columns.Length}"));
            if (!groupOfKey.TryGetValue(key, out int g))
            {
                g = groupOfKey[key] = groups.Count;
                groups.Add(new PlanGroup([], boxes.Select(b => (b.Rows.Length, b.Columns.Length)).ToArray()));
                members.Add([]);
            }
            members[g].Add(m);
            _groupOf[m] = g;
        }
        Groups = groups.Select((g, i) => g with { Masks = [.. members[i]] }).ToArray();

        var perStage = new long[graph.Stages.Count];
        for (int s = 0; s < graph.Stages.Count; s++)
        {
            var stage = graph.Stages[s];
            foreach (var group in Groups)
                perStage[s] += stage.MultiplyAddsPerPosition * group.BoxSize[stage.Output].H * group.BoxSize[stage.Output].W * group.Masks.Length;
        }
        MultiplyAddsPerStage = perStage;
    }

    public IncrementalGraph Graph { get; }
    public OcclusionGrid Grid { get; }

    /// <summary>The masks grouped by the sizes of their changed regions at every node.</summary>
    public IReadOnlyList<PlanGroup> Groups { get; }

    /// <summary>Multiply-adds per stage over all masks.</summary>
    public IReadOnlyList<long> MultiplyAddsPerStage { get; }

    /// <summary>A full forward per mask (the naive path).</summary>
    public long NaiveMultiplyAdds => Graph.FullMultiplyAdds * Grid.Count;

    /// <summary>Every mask's changed regions (the incremental path).</summary>
    public long IncrementalMultiplyAdds => MultiplyAddsPerStage.Sum();

    /// <summary>The group of mask <paramref name="mask"/>.</summary>
    public PlanGroup GroupOf(int mask) => Groups[_groupOf[mask]];

    /// <summary>The region of <paramref name="node"/> that mask <paramref name="mask"/> changes, and that is recomputed.</summary>
    public Box PatchBox(int node, int mask) => _changed[mask][node];

    /// <summary>One line per stage: its map, the largest patch, and multiply-adds of the naive and the incremental path.</summary>
    public string Describe()
    {
        var text = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        text.AppendLine(c, $"{Grid.Count} masks in {Groups.Count} groups of equal patch sizes");
        text.AppendLine(c, $"{"stage",-22} {"map",9} {"patch<=",8} {"naive GMAC",11} {"incremental",12} {"ratio",7}");
        for (int s = 0; s < Graph.Stages.Count; s++)
        {
            var stage = Graph.Stages[s];
            long naive = stage.MultiplyAddsPerPosition * stage.Height * stage.Width * Grid.Count;
            int h = Groups.Max(g => g.BoxSize[stage.Output].H), w = Groups.Max(g => g.BoxSize[stage.Output].W);
            string ratio = MultiplyAddsPerStage[s] == 0 ? "" : (naive / (double)MultiplyAddsPerStage[s]).ToString("F1", c) + "x";
            text.AppendLine(c, $"{stage.Name,-22} {$"{stage.Height}x{stage.Width}",9} {$"{h}x{w}",8} {naive / 1e9,11:F2} {MultiplyAddsPerStage[s] / 1e9,12:F2} {ratio,7}");
        }
        text.Append(c, $"{"total",-22} {"",9} {"",8} {NaiveMultiplyAdds / 1e9,11:F2} {IncrementalMultiplyAdds / 1e9,12:F2} {NaiveMultiplyAdds / (double)Math.Max(1, IncrementalMultiplyAdds),6:F2}x");
        return text.ToString();
    }
}

/// <summary>Masks whose changed regions have the same size at every node (<see cref="BoxSize"/>, indexed by node).</summary>
internal sealed record PlanGroup(int[] Masks, (int H, int W)[] BoxSize);
