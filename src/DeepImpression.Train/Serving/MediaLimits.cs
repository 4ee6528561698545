using DeepImpression.Train.Data;

namespace DeepImpression.Train.Serving;

/// <summary>What the server accepts: upload size and media length.</summary>
public sealed record MediaLimits
{
    /// <summary>The shortest sound the model is fit for: one training window (50,176 samples at 16 kHz, about 3.1 s).</summary>
    public const double MinimumSeconds = (double)ClipFormat.TrainingAudioSamples / ClipFormat.SampleRate;

    /// <summary>Largest accepted file (default 50 MB).</summary>
    public long MaxUploadBytes { get; init; } = 50_000_000;

    /// <summary>Longest accepted media, measured from the streams' timestamps (default 60 s).</summary>
    public double MaxSeconds { get; init; } = 60;

    /// <summary>Longest time the content check may take (ffprobe reading every packet) before the file is refused.</summary>
    public TimeSpan InspectionTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Most video frames per second of media accepted: bounds decoding work whatever the timestamps say.</summary>
    public double MaxFramesPerSecond { get; init; } = 120;
}
