namespace DeepImpression.Train.Training;

/// <summary>One line of <c>metrics.csv</c>: where training stood and how well it did.</summary>
public sealed record MetricsRow
{
    public int Epoch { get; init; }
    public long Step { get; init; }
    public double TrainLoss { get; init; }
    public double? ValidationExtraversion { get; init; }
    public double? ValidationAgreeableness { get; init; }
    public double? ValidationConscientiousness { get; init; }
    public double? ValidationNeuroticism { get; init; }
    public double? ValidationOpenness { get; init; }
    public double? ValidationMean { get; init; }
    public double ExamplesPerSecond { get; init; }
    public double WallSeconds { get; init; }
}
