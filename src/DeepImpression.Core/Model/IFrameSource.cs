namespace DeepImpression.Core.Model;

/// <summary>
/// The frames of one clip for the test-time procedure, handed over in chunks so that memory stays bounded
/// whatever the clip length. Values are raw RGB 0..255 as float, each frame 3 x Height x Width.
/// </summary>
public interface IFrameSource
{
    /// <summary>Number of frames in the clip.</summary>
    int FrameCount { get; }
    /// <summary>Height of every frame in pixels.</summary>
    int Height { get; }
    /// <summary>Width of every frame in pixels.</summary>
    int Width { get; }

    /// <summary>Writes frames [start, start + count) into <paramref name="destination"/> (count·3·H·W floats, NCHW).</summary>
    void CopyFrames(int start, int count, Span<float> destination);
}
