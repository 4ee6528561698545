namespace DeepImpression.Train.Benchmarking;

/// <summary>Forward and backward time of one layer in one training step, in milliseconds.</summary>
public sealed record LayerTiming(string Layer, double ForwardMs, double BackwardMs, double Gflop);

/// <summary>Everything <c>deepimpression bench</c> measures, with the published K80 figures beside it.</summary>
public sealed record BenchResult
{
    public const double PublishedK80MsPerTrainingExample = 50;
    public const double PublishedK80SecondsPerTestClip = 2.7;

    public required MachineInfo Machine { get; init; }
    public required string Device { get; init; }
    public required string Backend { get; init; }
    public double? FmaPeakGflops { get; init; }
    public required int BatchSize { get; init; }
    public required int Steps { get; init; }
    /// <summary>The median of the timed steps.</summary>
    public required double StepMs { get; init; }
    /// <summary>The fastest and slowest timed step: a wide spread means something else (another process, a busy
    /// virtual-machine host) took cores from some steps.</summary>
    public required double FastestStepMs { get; init; }
    public required double SlowestStepMs { get; init; }
    public double MsPerExample => StepMs / BatchSize;
    public required double GflopPerStep { get; init; }
    public double AchievedGflops => GflopPerStep / (StepMs / 1000);
    public double? PercentOfPeak => FmaPeakGflops is { } p ? 100 * AchievedGflops / p : null;
    public required IReadOnlyList<LayerTiming> Layers { get; init; }
    public double? ClipSeconds { get; init; }
    public int ClipFrames { get; init; }
    public int ClipAudioSamples { get; init; }
    /// <summary>Peak resident memory of the process through the training steps.</summary>
    public required long PeakResidentBytes { get; init; }
    /// <summary>Peak resident memory during the test-time clip alone (measured after resetting the peak).</summary>
    public long? ClipPeakResidentBytes { get; init; }
    public required long BackendPeakBytes { get; init; }
    /// <summary>cuDNN algorithm searches (Find calls) the process made, on a CUDA device.</summary>
    public int? ConvolutionSearches { get; init; }
    public double K80MsPerTrainingExample => PublishedK80MsPerTrainingExample;
    public double K80SecondsPerTestClip => PublishedK80SecondsPerTestClip;
}
