using DeepImpression.Train.Data.Cache;
using DeepImpression.Train.Data.Decoding;
using DeepImpression.Train.Data.Labels;

namespace DeepImpression.Train.Data.Loading;

/// <summary>
/// A whole clip for evaluation (the original's test-time procedure): the entire waveform (1 x 1 x L, [-1, 1]) and
/// every cached frame at full size, <see cref="FrameCount"/> x 3 x H x W raw pixel values 0..255 as float.
/// </summary>
internal sealed class TestClip
{
    public TestClip(string clip, float[] audio, float[] frames, int frameCount, FrameSize frameSize, TraitScores? targets)
    {
        if (frames.Length != (long)frameCount * frameSize.BytesPerFrame) throw new ArgumentException("Frame data does not match the frame count and size.");
        Clip = clip;
        Audio = audio;
        Frames = frames;
        FrameCount = frameCount;
        FrameSize = frameSize;
        Targets = targets;
    }

    public string Clip { get; }
    public float[] Audio { get; }
    public float[] Frames { get; }
    public int FrameCount { get; }
    public FrameSize FrameSize { get; }

    /// <summary>The labels, when known.</summary>
    public TraitScores? Targets { get; }

    /// <summary>Reads clip <paramref name="index"/> of the cache into host arrays.</summary>
    public static TestClip Load(ClipCache cache, int index)
    {
        var info = cache.Clips[index];
        var audio = cache.Audio(index).ToArray();
        int frameFloats = cache.FrameSize.BytesPerFrame;
        var frames = new float[(long)info.FrameCount * frameFloats];
        for (int f = 0; f < info.FrameCount; f++)
            PixelConversion.ToFloat(cache.Frame(index, f), frames.AsSpan(f * frameFloats, frameFloats), mirror: false);
        return new TestClip(info.Name, audio, frames, info.FrameCount, cache.FrameSize, info.Targets);
    }

    /// <summary>
    /// The clips in the given order, each read on a background thread while the previous one is in use. A consumer
    /// that stops early waits for the read in flight, so the cache can be closed as soon as the loop ends.
    /// </summary>
    public static IEnumerable<TestClip> LoadAll(ClipCache cache, IReadOnlyList<int> clips, CancellationToken cancellation = default)
    {
        if (clips.Count == 0) yield break;
        Task<TestClip>? next = Task.Run(() => Load(cache, clips[0]), cancellation);
        try
        {
            for (int i = 0; i < clips.Count; i++)
            {
                var current = next!.GetAwaiter().GetResult();
                next = null;
                if (i + 1 < clips.Count)
                {
                    int following = clips[i + 1];
                    next = Task.Run(() => Load(cache, following), cancellation);
                }
                yield return current;
            }
        }
        finally
        {
            // Its result (or failure) no longer matters; only that it has stopped reading the mapped files.
            if (next is not null) ((IAsyncResult)next).AsyncWaitHandle.WaitOne();
        }
    }
}
