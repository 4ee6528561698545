using DeepImpression.Train.Data.Labels;

namespace DeepImpression.Train.Evaluation;

/// <summary>The challenge metric: accuracy = 1 − mean absolute error, per trait and averaged over the five.</summary>
public sealed record TraitAccuracy(double[] PerTrait, int Clips)
{
    /// <summary>The mean of the five accuracies, the figure the paper ranks by.</summary>
    public double Mean => PerTrait.Average();

    /// <summary>Accuracy (1 - mean absolute error) per trait over prediction and target pairs.</summary>
    public static TraitAccuracy Compute(IReadOnlyList<(TraitScores Predicted, TraitScores Target)> pairs)
    {
        if (pairs.Count == 0) throw new ArgumentException("accuracy of no clips");
        var error = new double[TraitScores.Count];
        foreach (var (p, t) in pairs)
            for (int k = 0; k < TraitScores.Count; k++) error[k] += Math.Abs((double)p[k] - t[k]);
        return new TraitAccuracy(error.Select(e => 1 - e / pairs.Count).ToArray(), pairs.Count);
    }

    /// <summary>Per-trait means of a label set: the mean predictor that any model must beat.</summary>
    public static TraitScores MeanPredictor(IEnumerable<TraitScores> training)
    {
        var sum = new double[TraitScores.Count];
        int n = 0;
        foreach (var t in training)
        {
            for (int k = 0; k < sum.Length; k++) sum[k] += t[k];
            n++;
        }
        if (n == 0) throw new ArgumentException("mean of no labels");
        return TraitScores.FromSpan(sum.Select(s => (float)(s / n)).ToArray());
    }

    /// <summary>The mean and the five accuracies, for logs.</summary>
    public override string ToString() =>
        $"mean {Mean:F4} (" + string.Join(", ", TraitScores.Names.Select((n, i) => $"{n[..1]} {PerTrait[i]:F4}")) + ")";
}
