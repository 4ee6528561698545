namespace DeepImpression.Train.Data.Labels;

/// <summary>The spread of one label column over a set of clips.</summary>
public readonly record struct ColumnStatistics(double Mean, double StandardDeviation, double Min, double Max);

/// <summary>
/// Statistics of a label set and the accuracy of the simplest predictor, which says every clip's traits are the
/// training set's means (about 0.883 on the official validation set: docs/DESIGN.md section 2).
/// </summary>
public static class LabelStatistics
{
    /// <summary>Mean, population standard deviation, minimum and maximum of each trait, in output order.</summary>
    public static ColumnStatistics[] OfTraits(LabelSet labels)
    {
        var result = new ColumnStatistics[TraitScores.Count];
        for (var t = 0; t < TraitScores.Count; t++)
        {
            var trait = t;
            result[t] = Of(labels.Clips.Values.Select(s => (double)s[trait]));
        }
        return result;
    }

    /// <summary>The statistics of the interview scores, or null when the labels have none.</summary>
    public static ColumnStatistics? OfInterview(LabelSet labels) =>
        labels.Interview is { Count: > 0 } interview ? Of(interview.Values.Select(v => (double)v)) : null;

    /// <summary>Each trait's mean over <paramref name="labels"/>.</summary>
    public static double[] TraitMeans(LabelSet labels) => OfTraits(labels).Select(s => s.Mean).ToArray();

    /// <summary>Accuracy (1 - mean absolute error) per trait on <paramref name="labels"/> of predicting
    /// <paramref name="prediction"/> for every clip.</summary>
    public static double[] ConstantPredictorAccuracy(LabelSet labels, IReadOnlyList<double> prediction)
    {
        if (prediction.Count != TraitScores.Count) throw new ArgumentException($"A prediction has {TraitScores.Count} traits, got {prediction.Count}.", nameof(prediction));
        if (labels.Count == 0) throw new ArgumentException("No clips to measure the accuracy on.", nameof(labels));
        var accuracy = new double[TraitScores.Count];
        for (var t = 0; t < TraitScores.Count; t++)
        {
            double absoluteError = 0;
            foreach (var scores in labels.Clips.Values) absoluteError += Math.Abs(scores[t] - prediction[t]);
            accuracy[t] = 1 - absoluteError / labels.Count;
        }
        return accuracy;
    }

    private static ColumnStatistics Of(IEnumerable<double> values)
    {
        // Two passes in double precision: the label sets are small and this keeps the variance exact enough.
        var list = values.ToList();
        if (list.Count == 0) return new(double.NaN, double.NaN, double.NaN, double.NaN);
        var mean = list.Sum() / list.Count;
        var variance = list.Sum(v => (v - mean) * (v - mean)) / list.Count;
        return new(mean, Math.Sqrt(variance), list.Min(), list.Max());
    }
}
