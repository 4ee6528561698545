namespace DeepImpression.Train.Benchmarking;

/// <summary>Forward and backward time of one layer in one training step, in milliseconds.</summary>
public sealed record LayerTiming(string Layer, double ForwardMs, double BackwardMs, double Gflop);

/// <summary>The algorithms the backend runs for one convolution of the network (CPU plans; empty elsewhere).</summary>
public sealed record LayerPlan(string Layer, string Input, string Forward, string DataGradient, string FilterGradient, double ReserveMiB);

/// <summary>Timed training steps at one batch size. Rates count the direct convolution's FLOPs (the "effective" rate:
/// an algorithm with fewer multiplications, Winograd's, shows as a rate above what the multiplications ran at).</summary>
public sealed record TrainingRun
{
    public required int BatchSize { get; init; }
    public required int Steps { get; init; }
    /// <summary>The median of the timed steps.</summary>
    public required double StepMs { get; init; }
    /// <summary>The fastest and slowest timed step: a wide spread means something else (another process, a busy
    /// virtual-machine host) took cores from some steps.</summary>
    public required double FastestStepMs { get; init; }
    public required double SlowestStepMs { get; init; }
    public required double GflopPerStep { get; init; }
    public double MsPerExample => StepMs / BatchSize;
    public double AchievedGflops => GflopPerStep / (StepMs / 1000);
    public double? PercentOfPeak { get; init; }
    public required IReadOnlyList<LayerPlan> Plans { get; init; }
}

/// <summary>Everything <c>deepimpression bench</c> measures, with the published K80 figures beside it.</summary>
public sealed record BenchResult
{
    public const double PublishedK80MsPerTrainingExample = 50;
    public const double PublishedK80SecondsPerTestClip = 2.7;

    public required MachineInfo Machine { get; init; }
    public required string Device { get; init; }
    public required string Backend { get; init; }
    public double? FmaPeakGflops { get; init; }
    /// <summary>Training steps, one run per batch size asked for (the first is profiled layer by layer).</summary>
    public required IReadOnlyList<TrainingRun> Training { get; init; }
    /// <summary>Per-layer forward and backward times of one step at the first batch size.</summary>
    public required IReadOnlyList<LayerTiming> Layers { get; init; }
    public double? ClipSeconds { get; init; }
    public int ClipFrames { get; init; }
    public int ClipAudioSamples { get; init; }
    /// <summary>Frames per chunk of the visual stream (sized for the caches).</summary>
    public int ClipChunk { get; init; }
    /// <summary>The clip's FLOPs as a direct convolution counts them.</summary>
    public double ClipGflop { get; init; }
    public double? ClipGflops => ClipSeconds is { } s ? ClipGflop / s : null;
    public double? ClipPercentOfPeak => ClipGflops is { } r && FmaPeakGflops is { } p ? 100 * r / p : null;
    /// <summary>The plans of the clip's layers: the auditory stream over the whole waveform, the visual stream by chunk.</summary>
    public IReadOnlyList<LayerPlan> ClipPlans { get; init; } = [];
    /// <summary>Peak resident memory of the process through the first batch size's training steps.</summary>
    public required long PeakResidentBytes { get; init; }
    /// <summary>Peak resident memory during the test-time clip alone (measured after resetting the peak).</summary>
    public long? ClipPeakResidentBytes { get; init; }
    public required long BackendPeakBytes { get; init; }
    /// <summary>cuDNN algorithm searches (Find calls) the process made, on a CUDA device.</summary>
    public int? ConvolutionSearches { get; init; }
    public double K80MsPerTrainingExample => PublishedK80MsPerTrainingExample;
    public double K80SecondsPerTestClip => PublishedK80SecondsPerTestClip;
}
