using DeepImpression.Core.Model;
using DeepImpression.Train.Data.Decoding;
using DeepImpression.Train.Data.Labels;

namespace DeepImpression.Train.Evaluation;

/// <summary>
/// The test-time procedure on a video file: decode it, the whole waveform through the auditory stream, every frame
/// through the visual stream in chunks, then the fusion layer. The one entry point that <c>predict</c>, the demo
/// server and library consumers share, so that they give the same scores for the same file.
/// </summary>
public sealed class VideoPredictor(DeepImpressionNet net, int chunkSize = VideoPredictor.DefaultChunkSize)
{
    /// <summary>Frames per chunk of the visual stream unless asked otherwise.</summary>
    public const int DefaultChunkSize = 32;

    private readonly ClipDecoder _decoder = new(FrameSize.Network, minimumAudioSamples: 1);

    /// <summary>The network the predictions come from (in evaluation mode).</summary>
    public DeepImpressionNet Network { get; } = net;

    /// <summary>The five trait scores of <paramref name="video"/>. A file that cannot be decoded throws
    /// <see cref="DeepImpression.Core.InvalidInputException"/> naming it.</summary>
    public TraitScores Predict(string video, CancellationToken cancellation = default)
    {
        var clip = _decoder.Decode(video, frameCount: null, cancellation);
        var frames = new float[(long)clip.FrameCount * clip.FrameSize.BytesPerFrame];
        for (int i = 0; i < frames.Length; i++) frames[i] = clip.Frames[i];
        cancellation.ThrowIfCancellationRequested();
        var scores = Network.PredictClip(clip.Audio, new FrameArray(frames, clip.FrameCount, clip.FrameSize.Height, clip.FrameSize.Width), chunkSize);
        return TraitScores.FromSpan(scores);
    }
}
