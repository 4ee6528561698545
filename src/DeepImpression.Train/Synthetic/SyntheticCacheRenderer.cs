using DeepImpression.Train.Data.Cache;
using DeepImpression.Train.Data.Decoding;

namespace DeepImpression.Train.Synthetic;

/// <summary>
/// A synthetic set drawn straight into a clip cache, without ffmpeg: the same clips, people, cues and labels as the
/// videos <see cref="SyntheticDataSet.Generate"/> writes, each clip's frames taken at the indices a prepared cache
/// would hold (<see cref="ClipDecoder.EvenlySpacedFrames"/>), drawn at the cache's frame size, and its voice as
/// synthesized: no H.264 or AAC round trip, so the numbers differ slightly from a cache prepared from the videos. For
/// machines without ffmpeg, such as a GPU machine that only runs checks. A rerun adds only the clips missing.
/// </summary>
internal static class SyntheticCacheRenderer
{
    /// <summary>Renders the clips of <paramref name="splits"/> into <paramref name="cacheDirectory"/>; returns how many were added.</summary>
    public static int Render(SyntheticDataSetOptions options, string cacheDirectory, int framesPerClip, IReadOnlyCollection<string> splits,
        CancellationToken cancellation = default)
    {
        var size = options.FrameSize;
        var indices = ClipDecoder.EvenlySpacedFrames((int)Math.Round(options.Seconds * options.FramesPerSecond), framesPerClip);
        using var writer = ClipCacheWriter.Open(cacheDirectory, size, framesPerClip);
        var todo = SyntheticPlan.Make(options.Clips, options.Seed).Where(c => splits.Contains(c.Split) && !writer.TryGet(c.Name, out _)).ToList();
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.Jobs, CancellationToken = cancellation };
        Parallel.ForEach(todo, parallel, clip =>
        {
            var renderer = new SyntheticFrameRenderer(clip, size, options.FramesPerSecond);
            var interleaved = new byte[size.BytesPerFrame];
            var planar = new byte[indices.Length * size.BytesPerFrame];
            int plane = size.Width * size.Height;
            for (int f = 0; f < indices.Length; f++)
            {
                renderer.Render(indices[f], interleaved);
                var frame = planar.AsSpan(f * size.BytesPerFrame, size.BytesPerFrame);
                for (int p = 0; p < plane; p++)
                    for (int channel = 0; channel < 3; channel++) frame[channel * plane + p] = interleaved[3 * p + channel];
            }
            var decoded = new DecodedClip(clip.Name, SyntheticVoice.Render(clip, options.Seconds), planar, indices.Length, size);
            writer.Append(clip.Name, clip.Split, decoded, clip.Labels, clip.Interview, $"rendered without ffmpeg: {clip.Name}");
        });
        return todo.Count;
    }
}
