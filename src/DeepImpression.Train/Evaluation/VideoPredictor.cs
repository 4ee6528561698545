using DeepImpression.Core;
using DeepImpression.Core.Backends.Cpu;
using DeepImpression.Core.Model;
using DeepImpression.Train.Data.Decoding;
using DeepImpression.Train.Data.Labels;

namespace DeepImpression.Train.Evaluation;

/// <summary>
/// The test-time procedure on a video file: the whole waveform through the auditory stream, every frame (or those
/// <see cref="VideoPredictorOptions.Frames"/> picks) through the visual stream, then the fusion layer. Audio and frames
/// stream from ffmpeg through a <see cref="ClipScorer"/>, so memory does not grow with the clip's length. The one
/// entry point that <c>predict</c>, the demo server and library consumers share, so that they give the same scores
/// for the same file.
/// </summary>
public sealed class VideoPredictor
{
    /// <summary>Frames per chunk of the visual stream unless asked otherwise.</summary>
    public const int DefaultChunkSize = 32;

    /// <summary>A predictor that runs the visual stream <paramref name="chunkSize"/> frames at a time.</summary>
    public VideoPredictor(DeepImpressionNet net, int chunkSize = DefaultChunkSize) : this(net, new VideoPredictorOptions { ChunkSize = chunkSize }) { }

    /// <summary>A predictor of <paramref name="net"/> with <paramref name="options"/>.</summary>
    public VideoPredictor(DeepImpressionNet net, VideoPredictorOptions options)
    {
        if (options.ChunkSize < 1) throw new ArgumentOutOfRangeException(nameof(options), "the chunk size must be at least 1.");
        Network = net;
        Options = options with { Frames = options.Frames.Validated() };
    }

    /// <summary>The network the predictions come from.</summary>
    public DeepImpressionNet Network { get; }

    /// <summary>Frame selection, chunk size and audio windowing.</summary>
    public VideoPredictorOptions Options { get; }

    /// <summary>The five trait scores of <paramref name="video"/>. A file that cannot be decoded throws
    /// <see cref="InvalidInputException"/> naming it.</summary>
    public TraitScores Predict(string video, CancellationToken cancellation = default) => Score(video, cancellation).Scores;

    /// <summary>The scores of <paramref name="video"/> with the frames and samples they came from.</summary>
    public VideoPrediction Score(string video, CancellationToken cancellation = default)
    {
        var info = MediaProbe.Probe(video, cancellation);
        if (!info.HasVideo) throw new InvalidInputException($"{video}: no video track.");
        if (!info.HasAudio) throw new InvalidInputException($"{video}: no audio track.");
        bool wasTraining = Network.IsTraining;
        Network.SetTraining(false);
        try
        {
            var scorer = new ClipScorer(Network, Options.AudioWindowPositions);
            long samples = StreamingAudioReader.Read(info, scorer.AddAudio, cancellation);
            ReleaseCachedMemory();
            var size = Options.FrameSize;
            int previous = 0;
            var frames = new StreamingFrameReader(size, Options.Frames, Options.ChunkSize).Read(info, (chunk, count) =>
            {
                // The last, shorter chunk needs buffers of other sizes than the full ones cached so far.
                if (previous != 0 && count != previous) ReleaseCachedMemory();
                previous = count;
                scorer.AddFrames(chunk, count, size.Height, size.Width);
            }, cancellation);
            cancellation.ThrowIfCancellationRequested();
            return new VideoPrediction(video, scorer.Complete(), frames, samples);
        }
        finally
        {
            ReleaseCachedMemory();
            Network.SetTraining(wasTraining);
        }
    }

    /// <summary>
    /// Hands the CPU backend's cached buffers back between the audio and the visual pass, before a clip's last, shorter
    /// chunk of frames, and after a clip. The backend caches buffers by exact size, and each of these needs sizes of
    /// its own: without this the peak would be their sum (measured: 2,219 MiB for a 10-minute clip whose last chunk
    /// held 16 frames), where it is now the largest of them whatever the clip.
    /// </summary>
    private void ReleaseCachedMemory()
    {
        if (Network.Fusion.W.Backend is not CpuBackend cpu) return;
        cpu.TrimCache();
        // The arrays are garbage now; collect them before the next pass allocates, so that it reuses their memory.
        GC.Collect();
    }
}
