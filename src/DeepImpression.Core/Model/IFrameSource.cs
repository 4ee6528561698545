namespace DeepImpression.Core.Model;

/// <summary>
/// The frames of one clip for the test-time procedure, handed over in chunks so that memory stays bounded
/// whatever the clip length. Values are raw RGB 0..255 as float, each frame 3 x Height x Width.
/// </summary>
public interface IFrameSource
{
    int FrameCount { get; }
    int Height { get; }
    int Width { get; }

    /// <summary>Writes frames [start, start + count) into <paramref name="destination"/> (count·3·H·W floats, NCHW).</summary>
    void CopyFrames(int start, int count, Span<float> destination);
}
