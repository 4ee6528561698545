namespace DeepImpression.Train.Training;

/// <summary>One line of <c>metrics.csv</c>: where training stood and how well it did.</summary>
public sealed record MetricsRow
{
    /// <summary>The epoch the row closes (from 0).</summary>
    public int Epoch { get; init; }
    /// <summary>Optimizer steps done at the end of the epoch.</summary>
    public long Step { get; init; }
    /// <summary>Mean training loss (mean absolute error of the five traits) over the epoch's batches.</summary>
    public double TrainLoss { get; init; }
    /// <summary>Validation accuracy (1 - MAE) for Extraversion, when the epoch was validated.</summary>
    public double? ValidationExtraversion { get; init; }
    /// <summary>Validation accuracy for Agreeableness, when validated.</summary>
    public double? ValidationAgreeableness { get; init; }
    /// <summary>Validation accuracy for Conscientiousness, when validated.</summary>
    public double? ValidationConscientiousness { get; init; }
    /// <summary>Validation accuracy for Neuroticism, when validated.</summary>
    public double? ValidationNeuroticism { get; init; }
    /// <summary>Validation accuracy for Openness, when validated.</summary>
    public double? ValidationOpenness { get; init; }
    /// <summary>Mean validation accuracy over the five traits, when validated.</summary>
    public double? ValidationMean { get; init; }
    /// <summary>Training throughput over the epoch.</summary>
    public double ExamplesPerSecond { get; init; }
    /// <summary>Seconds of training in the run so far, across resumes.</summary>
    public double WallSeconds { get; init; }
}
