using DeepImpression.Core;
using DeepImpression.Core.Model;
using DeepImpression.Train.Analysis.Rendering;
using DeepImpression.Train.Data.Decoding;

namespace DeepImpression.Train.Analysis.Occlusion;

/// <summary>
/// What occlusion analysis reads from one video: the whole waveform (16 kHz mono) and frames at the network's
/// test-time size, kept as bytes (planar 3 x H x W) and handed out as the raw 0..255 floats the network takes.
/// </summary>
public sealed class OcclusionClip : IFrameSource
{
    private readonly byte[] _frames;

    /// <param name="source">Where the clip came from, for messages and summaries.</param>
    /// <param name="waveform">16 kHz mono samples in [-1, 1].</param>
    /// <param name="frames">Planar RGB frames, 3 x H x W bytes each, one after another.</param>
    /// <param name="frameCount">How many frames <paramref name="frames"/> holds.</param>
    /// <param name="height">Frame height in pixels.</param>
    /// <param name="width">Frame width in pixels.</param>
    public OcclusionClip(string source, float[] waveform, byte[] frames, int frameCount, int height, int width)
    {
        if (frameCount < 1) throw new InvalidInputException($"{source}: the clip has no frames.");
        if (waveform.Length == 0) throw new InvalidInputException($"{source}: the clip has no audio.");
        if (frames.Length != (long)frameCount * 3 * height * width)
            throw new ArgumentException($"{source}: {frames.Length} bytes are not {frameCount} frames of 3x{height}x{width}.", nameof(frames));
        Source = source;
        Waveform = waveform;
        _frames = frames;
        FrameCount = frameCount;
        Height = height;
        Width = width;
    }

    /// <summary>Where the clip came from (a video path or a name), for captions and file names.</summary>
    public string Source { get; }
    /// <summary>The whole waveform, 16 kHz mono in [-1, 1].</summary>
    public float[] Waveform { get; }
    /// <summary>How many frames the clip holds.</summary>
    public int FrameCount { get; }
    /// <summary>Frame height in pixels.</summary>
    public int Height { get; }
    /// <summary>Frame width in pixels.</summary>
    public int Width { get; }

    /// <summary>Frame <paramref name="index"/> as the network's input, 3 x H x W floats.</summary>
    public float[] Frame(int index)
    {
        var frame = new float[3 * Height * Width];
        CopyFrames(index, 1, frame);
        return frame;
    }

    /// <summary>Every frame as the network's input (fine for the few frames pixel occlusion masks).</summary>
    public IReadOnlyList<float[]> Frames() => Enumerable.Range(0, FrameCount).Select(Frame).ToArray();

    /// <summary>Copies frames <paramref name="start"/> to <paramref name="start"/> + <paramref name="count"/> - 1 as planar floats (0..255) into <paramref name="destination"/>, as the visual stream reads them.</summary>
    public void CopyFrames(int start, int count, Span<float> destination)
    {
        var bytes = _frames.AsSpan(start * 3 * Height * Width, count * 3 * Height * Width);
        for (int i = 0; i < bytes.Length; i++) destination[i] = bytes[i];
    }

    /// <summary>The frame figures are drawn over: the middle one.</summary>
    public RgbImage RepresentativeFrame =>
        RgbImage.FromPlanar(_frames.AsSpan(FrameCount / 2 * 3 * Height * Width, 3 * Height * Width), Width, Height);

    /// <summary>
    /// Decodes <paramref name="video"/> at the network's test-time frame size (456 x 256): the whole audio track and
    /// <paramref name="frames"/> frames spread evenly over the clip (all when null). A file that is not a decodable
    /// video with audio throws <see cref="InvalidInputException"/> naming it.
    /// </summary>
    public static OcclusionClip FromVideo(string video, int? frames, CancellationToken cancellation = default)
    {
        if (frames is < 1) throw new InvalidInputException($"--frames must be at least 1, got {frames}.");
        var decoded = new ClipDecoder(FrameSize.Network, minimumAudioSamples: 1).Decode(video, frames, cancellation);
        return new OcclusionClip(video, decoded.Audio, decoded.Frames, decoded.FrameCount, decoded.FrameSize.Height, decoded.FrameSize.Width);
    }
}
