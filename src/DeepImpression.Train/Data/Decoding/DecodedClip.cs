namespace DeepImpression.Train.Data.Decoding;

/// <summary>
/// A decoded clip: mono 16 kHz audio in [-1, 1], and frames as RGB bytes, each frame stored planar
/// (3 x Height x Width, channel order R, G, B) one after another.
/// </summary>
public sealed class DecodedClip
{
    /// <summary>A clip from <paramref name="path"/>; <paramref name="frames"/> must hold <paramref name="frameCount"/> frames of <paramref name="frameSize"/>, and <paramref name="frameIndices"/> (default 0..count-1) their index in the video.</summary>
    public DecodedClip(string path, float[] audio, byte[] frames, int frameCount, FrameSize frameSize, int[]? frameIndices = null)
    {
        if (frames.Length != (long)frameCount * frameSize.BytesPerFrame)
            throw new ArgumentException($"{frameCount} frames of {frameSize} need {(long)frameCount * frameSize.BytesPerFrame} bytes, got {frames.Length}.");
        Path = path;
        Audio = audio;
        Frames = frames;
        FrameCount = frameCount;
        FrameSize = frameSize;
        FrameIndices = frameIndices ?? [.. Enumerable.Range(0, frameCount)];
        if (FrameIndices.Count != frameCount) throw new ArgumentException($"{frameCount} frames need {frameCount} frame indices, got {FrameIndices.Count}.");
    }

    /// <summary>The video the clip was decoded from.</summary>
    public string Path { get; }
    /// <summary>Mono 16 kHz samples in [-1, 1].</summary>
    public float[] Audio { get; }
    /// <summary>Every frame, planar RGB bytes, one after another.</summary>
    public byte[] Frames { get; }
    /// <summary>How many frames.</summary>
    public int FrameCount { get; }
    /// <summary>The size of every frame.</summary>
    public FrameSize FrameSize { get; }

    /// <summary>The index in the video of each decoded frame (counting the video's frames from 0).</summary>
    public IReadOnlyList<int> FrameIndices { get; }

    /// <summary>The bytes of frame <paramref name="index"/> (3 x H x W).</summary>
    public ReadOnlySpan<byte> Frame(int index) =>
        Frames.AsSpan(checked(index * FrameSize.BytesPerFrame), FrameSize.BytesPerFrame);
}
