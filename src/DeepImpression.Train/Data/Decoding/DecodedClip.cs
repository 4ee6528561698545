namespace DeepImpression.Train.Data.Decoding;

/// <summary>
/// A decoded clip: mono 16 kHz audio in [-1, 1], and frames as RGB bytes, each frame stored planar
/// (3 x Height x Width, channel order R, G, B) one after another.
/// </summary>
public sealed class DecodedClip
{
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

    public string Path { get; }
    public float[] Audio { get; }
    public byte[] Frames { get; }
    public int FrameCount { get; }
    public FrameSize FrameSize { get; }

    /// <summary>The index in the video of each decoded frame (counting the video's frames from 0).</summary>
    public IReadOnlyList<int> FrameIndices { get; }

    public ReadOnlySpan<byte> Frame(int index) =>
        Frames.AsSpan(checked(index * FrameSize.BytesPerFrame), FrameSize.BytesPerFrame);
}
