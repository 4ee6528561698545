namespace DeepImpression.Train.Benchmarking;

/// <summary>Forward and backward time of one layer in one training step, in milliseconds.</summary>
public sealed record LayerTiming(string Layer, double ForwardMs, double BackwardMs, double Gflop);

/// <summary>The algorithms the backend runs for one convolution of the network (CPU plans; empty elsewhere).</summary>
public sealed record LayerPlan(string Layer, string Input, string Forward, string DataGradient, string FilterGradient, double ReserveMiB);

/// <summary>Timed training steps at one batch size. Rates count the direct convolution's FLOPs (the "effective" rate:
/// an algorithm with fewer multiplications, Winograd's, shows as a rate above what the multiplications ran at).</summary>
public sealed record TrainingRun
{
    /// <summary>Examples per step.</summary>
    public required int BatchSize { get; init; }
    /// <summary>Timed steps (after the warm-up steps).</summary>
    public required int Steps { get; init; }
    /// <summary>The median of the timed steps.</summary>
    public required double StepMs { get; init; }
    /// <summary>The fastest and slowest timed step: a wide spread means something else (another process, a busy
    /// virtual-machine host) took cores from some steps.</summary>
    public required double FastestStepMs { get; init; }
    /// <summary>The slowest timed step.</summary>
    public required double SlowestStepMs { get; init; }
    /// <summary>FLOPs of one step (forward and backward) as a direct convolution counts them, in billions.</summary>
    public required double GflopPerStep { get; init; }
    /// <summary>Milliseconds per training example, the figure the paper gives for the K80.</summary>
    public double MsPerExample => StepMs / BatchSize;
    /// <summary>The effective rate of the median step, in GFLOP/s.</summary>
    public double AchievedGflops => GflopPerStep / (StepMs / 1000);
    /// <summary><see cref="AchievedGflops"/> as a percentage of the measured FMA peak, when it was measured.</summary>
    public double? PercentOfPeak { get; init; }
    /// <summary>The algorithm each convolution ran at this batch size.</summary>
    public required IReadOnlyList<LayerPlan> Plans { get; init; }
}

/// <summary>Everything <c>deepimpression bench</c> measures, with the published K80 figures beside it.</summary>
public sealed record BenchResult
{
    /// <summary>The paper's training time on a Tesla K80, in milliseconds per example.</summary>
    public const double PublishedK80MsPerTrainingExample = 50;
    /// <summary>The paper's test time on a Tesla K80, in seconds per 15-second clip.</summary>
    public const double PublishedK80SecondsPerTestClip = 2.7;

    /// <summary>The machine measured.</summary>
    public required MachineInfo Machine { get; init; }
    /// <summary>The device the network ran on (cpu, cuda:N).</summary>
    public required string Device { get; init; }
    /// <summary>The backend's description.</summary>
    public required string Backend { get; init; }
    /// <summary>The measured peak of fused multiply-adds on the CPU, when measured.</summary>
    public double? FmaPeakGflops { get; init; }
    /// <summary>Training steps, one run per batch size asked for (the first is profiled layer by layer).</summary>
    public required IReadOnlyList<TrainingRun> Training { get; init; }
    /// <summary>Per-layer forward and backward times of one step at the first batch size.</summary>
    public required IReadOnlyList<LayerTiming> Layers { get; init; }
    /// <summary>Seconds to predict one whole test clip, when the clip was run.</summary>
    public double? ClipSeconds { get; init; }
    /// <summary>Frames of the test clip.</summary>
    public int ClipFrames { get; init; }
    /// <summary>Audio samples of the test clip.</summary>
    public int ClipAudioSamples { get; init; }
    /// <summary>Frames per chunk of the visual stream (sized for the caches).</summary>
    public int ClipChunk { get; init; }
    /// <summary>The clip's FLOPs as a direct convolution counts them.</summary>
    public double ClipGflop { get; init; }
    /// <summary>The clip's effective rate in GFLOP/s.</summary>
    public double? ClipGflops => ClipSeconds is { } s ? ClipGflop / s : null;
    /// <summary><see cref="ClipGflops"/> as a percentage of the FMA peak, when both are known.</summary>
    public double? ClipPercentOfPeak => ClipGflops is { } r && FmaPeakGflops is { } p ? 100 * r / p : null;
    /// <summary>The plans of the clip's layers: the auditory stream over the whole waveform, the visual stream by chunk.</summary>
    public IReadOnlyList<LayerPlan> ClipPlans { get; init; } = [];
    /// <summary>Peak resident memory of the process through the first batch size's training steps.</summary>
    public required long PeakResidentBytes { get; init; }
    /// <summary>Peak resident memory during the test-time clip alone (measured after resetting the peak).</summary>
    public long? ClipPeakResidentBytes { get; init; }
    /// <summary>Peak bytes the backend held (device memory on CUDA, pooled buffers on the CPU).</summary>
    public required long BackendPeakBytes { get; init; }
    /// <summary>cuDNN algorithm searches (Find calls) the process made, on a CUDA device.</summary>
    public int? ConvolutionSearches { get; init; }
    /// <summary><see cref="PublishedK80MsPerTrainingExample"/>, as a property so that JSON output carries it.</summary>
    public double K80MsPerTrainingExample => PublishedK80MsPerTrainingExample;
    /// <summary><see cref="PublishedK80SecondsPerTestClip"/>, as a property so that JSON output carries it.</summary>
    public double K80SecondsPerTestClip => PublishedK80SecondsPerTestClip;
}
