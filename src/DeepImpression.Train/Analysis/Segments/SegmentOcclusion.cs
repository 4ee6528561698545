using DeepImpression.Core;
using DeepImpression.Core.Model;
using DeepImpression.Train.Analysis.Regions;
using DeepImpression.Train.Data.Decoding;
using DeepImpression.Train.Evaluation;

namespace DeepImpression.Train.Analysis.Segments;

/// <summary>
/// Segment-level occlusion (the poster's Figure 5): for every video, the test-time prediction
/// (<see cref="DeepImpressionNet.PredictClip"/>) of its frames as they are and with each region masked in turn
/// (<see cref="RegionMaskedFrames"/>), so that the change each region's masking causes can be summarised over all
/// videos (<see cref="SegmentOcclusionResult"/>). The sound is left as it is. A region absent from all the frames
/// analysed of a video is not masked there (it would change nothing) and that video does not count for it.
/// Every video's region maps are read and checked before the first prediction, so a bad map costs no work.
/// </summary>
public static class SegmentOcclusion
{
    /// <summary>Masks each region of <paramref name="maps"/> in every frame of each video and measures how each trait's prediction changes, with paired effect sizes over the videos.</summary>
    /// <param name="net">The trained network.</param>
    /// <param name="videos">The videos; each needs region maps in <paramref name="maps"/>.</param>
    /// <param name="maps">The region label maps and their legend.</param>
    /// <param name="options">Frames read, frame size, fill, regions.</param>
    /// <param name="progress">Reports videos done out of all.</param>
    /// <param name="cancellation">Stops between videos and chunks.</param>
    public static SegmentOcclusionResult Run(DeepImpressionNet net, IReadOnlyList<string> videos, RegionMapFolder maps, SegmentOcclusionOptions options,
                                             IProgress<(int Done, int Total)>? progress = null, CancellationToken cancellation = default)
    {
        if (videos.Count == 0) throw new InvalidInputException("segment occlusion: no videos given.");
        if (options.Frames is <= 0) throw new InvalidInputException($"--frames {options.Frames}: must be at least 1.");
        if (options.ChunkSize <= 0) throw new InvalidInputException($"--chunk {options.ChunkSize}: must be at least 1.");
        var regions = options.Regions is { Count: > 0 } names ? names.Select(maps.Legend.IdOf).Distinct().ToArray() : maps.Legend.Ids.ToArray();

        foreach (var video in videos)
        {
            if (!File.Exists(video)) throw new InvalidInputException($"{video}: no such video file.");
            maps.Load(video, options.FrameSize, ClipDecoder.PlannedFrames(video, options.Frames, cancellation));
        }

        var decoder = new ClipDecoder(options.FrameSize, minimumAudioSamples: 1);
        var accumulator = new SegmentFrameAccumulator(options.FrameSize, maps.Legend);
        var results = new List<SegmentVideoResult>();
        int total = videos.Count * (regions.Length + 1), done = 0;
        progress?.Report((0, total));
        foreach (var video in videos)
        {
            cancellation.ThrowIfCancellationRequested();
            var clip = decoder.Decode(video, options.Frames, cancellation);
            var regionMaps = maps.Load(video, options.FrameSize, clip.FrameIndices);
            var size = clip.FrameSize;
            var frames = new float[clip.Frames.Length];
            for (int i = 0; i < frames.Length; i++) frames[i] = clip.Frames[i];
            accumulator.Add(frames, regionMaps.Maps);

            var baseline = net.PredictClip(clip.Audio, new FrameArray(frames, clip.FrameCount, size.Height, size.Width), options.ChunkSize);
            progress?.Report((++done, total));
            var masked = new Dictionary<int, float[]>();
            foreach (int region in regions)
            {
                cancellation.ThrowIfCancellationRequested();
                if (regionMaps.Contains(region))
                {
                    var source = new RegionMaskedFrames(frames, clip.FrameCount, size.Height, size.Width, regionMaps.Maps, (byte)region, options.Fill);
                    masked[region] = net.PredictClip(clip.Audio, source, options.ChunkSize);
                }
                progress?.Report((++done, total));
            }
            results.Add(new SegmentVideoResult(video, baseline, masked));
        }
        return new SegmentOcclusionResult(maps.Legend, regions, results, accumulator.AverageFrame(), accumulator.RegionShares(), options.FrameSize, options.Fill, options.Confidence);
    }
}

/// <summary>One video's predictions: as it is, and with each region masked (regions absent from it are missing).</summary>
public sealed record SegmentVideoResult(string Video, float[] Baseline, IReadOnlyDictionary<int, float[]> Masked);
