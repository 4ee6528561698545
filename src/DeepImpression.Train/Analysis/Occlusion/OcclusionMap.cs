using DeepImpression.Core.Model;
using DeepImpression.Core.Serialization;
using DeepImpression.Core.Tensors;
using DeepImpression.Train.Data.Labels;

namespace DeepImpression.Train.Analysis.Occlusion;

/// <summary>
/// The outcome of masking an input at every position of a grid: the five trait scores of the unmasked input
/// (<see cref="Baseline"/>) and of each masked one (<see cref="Masked"/>), from which each trait's signed change
/// (masked − unmasked: positive where masking raises the trait) and the Euclidean distance between the five-trait
/// vectors follow.
/// </summary>
public abstract class OcclusionMap
{
    private const int Traits = DeepImpressionNet.TraitCount;

    /// <summary>A map of <paramref name="source"/> with one prediction per mask of <paramref name="grid"/> in <paramref name="masked"/> (mask-major, five traits each) and the unmasked prediction <paramref name="baseline"/>.</summary>
    protected OcclusionMap(string source, OcclusionGrid grid, float[] baseline, float[] masked, OcclusionCost cost)
    {
        if (baseline.Length != Traits) throw new ArgumentException($"the baseline needs {Traits} scores.", nameof(baseline));
        if (masked.Length != grid.Count * Traits) throw new ArgumentException($"{masked.Length} scores for {grid.Count} masks.", nameof(masked));
        Source = source;
        Grid = grid;
        Baseline = TraitScores.FromSpan(baseline);
        Masked = masked;
        Cost = cost;
    }

    /// <summary>The analysed video (or a description of the input).</summary>
    public string Source { get; }
    /// <summary>Where the masks fell.</summary>
    public OcclusionGrid Grid { get; }
    /// <summary>The prediction of the unmasked input, which each masked prediction is compared with.</summary>
    public TraitScores Baseline { get; }

    /// <summary>Scores per mask, masks x 5, row-major.</summary>
    public float[] Masked { get; }
    /// <summary>What computing the masked predictions cost, next to a full pass per mask.</summary>
    public OcclusionCost Cost { get; }

    /// <summary>Masked minus unmasked score of <paramref name="trait"/> (0 = Extraversion .. 4 = Openness), per mask.</summary>
    public float[] Change(int trait)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(trait);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(trait, Traits);
        var change = new float[Grid.Count];
        for (int m = 0; m < change.Length; m++) change[m] = Masked[m * Traits + trait] - Baseline[trait];
        return change;
    }

    /// <summary>Euclidean distance between the masked and the unmasked five-trait vectors, per mask.</summary>
    public float[] Distance()
    {
        var distance = new float[Grid.Count];
        for (int m = 0; m < distance.Length; m++)
        {
            double sum = 0;
            for (int k = 0; k < Traits; k++)
            {
                double d = Masked[m * Traits + k] - Baseline[k];
                sum += d * d;
            }
            distance[m] = (float)Math.Sqrt(sum);
        }
        return distance;
    }

    /// <summary><see cref="Distance"/> divided by its largest value, so in [0, 1] (all zero when nothing changed).</summary>
    public float[] NormalizedDistance()
    {
        var distance = Distance();
        float max = distance.Length == 0 ? 0 : distance.Max();
        return max > 0 ? distance.Select(d => d / max).ToArray() : distance;
    }

    /// <summary>The raw maps as arrays for <see cref="NpzFile"/>: per-trait change (5 x rows x columns), distance raw
    /// and normalised, masked scores, baseline, and the mask geometry.</summary>
    protected IEnumerable<(string Key, NpyArray Array)> MapArrays()
    {
        int rows = Grid.Rows.Count, columns = Grid.Columns.Count;
        var change = new float[Traits * Grid.Count];
        for (int k = 0; k < Traits; k++) Change(k).CopyTo(change, k * Grid.Count);
        yield return ("change", new NpyArray(change, new Shape(Traits, rows, columns)));
        yield return ("distance", new NpyArray(Distance(), new Shape(rows, columns)));
        yield return ("distance_normalized", new NpyArray(NormalizedDistance(), new Shape(rows, columns)));
        yield return ("masked", new NpyArray(Masked, new Shape(rows, columns, Traits)));
        yield return ("baseline", NpyArray.Vector(Baseline.ToArray()));
        yield return ("traits", NpyArray.Utf8(string.Join(",", TraitScores.Names)));
        yield return ("mask_size", new NpyArray(new[] { Grid.Rows.Size, Grid.Columns.Size }, new Shape(2)));
        yield return ("stride", new NpyArray(new[] { Grid.Rows.Stride, Grid.Columns.Stride }, new Shape(2)));
        yield return ("centres_y", new NpyArray(Enumerable.Range(0, rows).Select(Grid.Rows.Centre).ToArray(), new Shape(rows)));
        yield return ("centres_x", new NpyArray(Enumerable.Range(0, columns).Select(Grid.Columns.Centre).ToArray(), new Shape(columns)));
    }

    /// <summary>Per trait: the largest increase and decrease with the mask index where they occur, and the mean |change|.</summary>
    protected Dictionary<string, object> TraitSummary(Func<int, object> where)
    {
        var traits = new Dictionary<string, object>();
        for (int k = 0; k < Traits; k++)
        {
            var change = Change(k);
            int up = IndexOfMax(change), down = IndexOfMax(change.Select(v => -v).ToArray());
            traits[TraitScores.Names[k].ToLowerInvariant()] = new Dictionary<string, object>
            {
                ["baseline"] = Baseline[k],
                ["largest_increase"] = change[up], ["largest_increase_at"] = where(up),
                ["largest_decrease"] = change[down], ["largest_decrease_at"] = where(down),
                ["mean_absolute_change"] = change.Average(v => Math.Abs(v)),
            };
        }
        var distance = Distance();
        int far = IndexOfMax(distance);
        traits["distance"] = new Dictionary<string, object>
        {
            ["largest"] = distance[far], ["largest_at"] = where(far), ["mean"] = distance.Average(v => (double)v),
        };
        return traits;
    }

    /// <summary>The cost as JSON fields.</summary>
    protected Dictionary<string, object> CostSummary() => new()
    {
        ["method"] = Cost.Method.ToString().ToLowerInvariant(),
        ["naive_flops"] = 2 * Cost.NaiveMultiplyAdds,
        ["incremental_flops"] = 2 * Cost.IncrementalMultiplyAdds,
        ["flop_reduction"] = Math.Round(Cost.Reduction, 3),
        ["seconds"] = Math.Round(Cost.Elapsed.TotalSeconds, 2),
    };

    private static int IndexOfMax(float[] values)
    {
        int best = 0;
        for (int i = 1; i < values.Length; i++)
            if (values[i] > values[best]) best = i;
        return best;
    }
}
