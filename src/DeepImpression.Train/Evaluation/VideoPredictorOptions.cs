using DeepImpression.Core.Model;
using DeepImpression.Train.Data.Decoding;

namespace DeepImpression.Train.Evaluation;

/// <summary>How <see cref="VideoPredictor"/> reads a video. The defaults are the original's test-time procedure:
/// every frame at 456 x 256, the whole waveform.</summary>
public sealed record VideoPredictorOptions
{
    /// <summary>Frames per chunk of the visual stream (memory grows with it, not with the clip).</summary>
    public int ChunkSize { get; init; } = VideoPredictor.DefaultChunkSize;

    /// <summary>Size the frames are resized to (a cache's frame size, to reproduce <c>evaluate</c> on it).</summary>
    public FrameSize FrameSize { get; init; } = FrameSize.Network;

    /// <summary>Which frames are read.</summary>
    public FrameSelection Frames { get; init; } = FrameSelection.All;

    /// <summary>Auditory map positions per audio window (about 1,024 samples each).</summary>
    public int AudioWindowPositions { get; init; } = WindowedAuditoryFeatures.DefaultPositionsPerWindow;
}
