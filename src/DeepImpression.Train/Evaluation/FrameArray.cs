using DeepImpression.Core.Model;

namespace DeepImpression.Train.Evaluation;

/// <summary>Frames already in memory (count x 3 x H x W floats) offered to the test-time procedure.</summary>
internal sealed class FrameArray(float[] frames, int count, int height, int width) : IFrameSource
{
    public int FrameCount => count;
    public int Height => height;
    public int Width => width;

    public void CopyFrames(int start, int n, Span<float> destination)
    {
        int size = 3 * height * width;
        frames.AsSpan(start * size, n * size).CopyTo(destination);
    }
}
