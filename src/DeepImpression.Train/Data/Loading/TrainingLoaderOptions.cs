namespace DeepImpression.Train.Data.Loading;

/// <summary>How a <see cref="TrainingLoader"/> samples and batches examples.</summary>
public sealed record TrainingLoaderOptions
{
    /// <summary>Examples per batch.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>Every random choice (order, windows, frames, crops, flips) follows from this seed alone.</summary>
    public ulong Seed { get; init; }

    /// <summary>Background threads that build batches; 0 builds each batch on the caller's thread.</summary>
    public int Workers { get; init; } = Math.Max(1, Environment.ProcessorCount);

    /// <summary>Batches built ahead of the consumer at most (the bound of the prefetch queue).</summary>
    public int Prefetch { get; init; } = 4;

    /// <summary>Length of each example's audio window, in samples.</summary>
    public int AudioSamples { get; init; } = ClipFormat.TrainingAudioSamples;
    /// <summary>Side of each example's square random crop, in pixels.</summary>
    public int CropSize { get; init; } = ClipFormat.CropSize;

    /// <summary>Reshuffle the clips every epoch (otherwise the order given, by default name order).</summary>
    public bool Shuffle { get; init; } = true;

    /// <summary>Mirror half of the crops left to right.</summary>
    public bool RandomFlip { get; init; } = true;

    /// <summary>Leave out the last, smaller batch of an epoch.</summary>
    public bool DropLast { get; init; } = true;
}
