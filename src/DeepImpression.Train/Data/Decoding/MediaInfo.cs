namespace DeepImpression.Train.Data.Decoding;

/// <summary>What ffprobe says a media file holds (the first video and audio stream).</summary>
public sealed record MediaInfo(
    string Path,
    bool HasVideo,
    bool HasAudio,
    int Width,
    int Height,
    double FramesPerSecond,
    int? VideoFrameCount,
    double DurationSeconds,
    double? AudioDurationSeconds,
    int? AudioSampleRate,
    string? VideoCodec,
    string? AudioCodec);
