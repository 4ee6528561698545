using System.Diagnostics;
using DeepImpression.Core.Model;

namespace DeepImpression.Train.Analysis.Occlusion;

/// <summary>
/// Pixel-level occlusion of one clip (the poster's Figure 4): every mask of the grid is applied to the chosen frames,
/// their visual features are averaged as the test-time procedure averages them, fused with the features of the whole
/// waveform (computed once), and the five predictions compared with those of the unmasked frames. The library entry
/// point for <c>deepimpression occlusion pixel</c>, the demo server and package users.
/// </summary>
public static class PixelOcclusion
{
    /// <summary>Decodes <paramref name="video"/> (the whole audio, <see cref="PixelOcclusionOptions.Frames"/> frames at
    /// 456 x 256) and maps it. Bad files throw <see cref="Core.InvalidInputException"/> naming them.</summary>
    public static PixelOcclusionMap AnalyzeVideo(DeepImpressionNet net, string video, PixelOcclusionOptions? options = null,
        IProgress<(int Done, int Total)>? progress = null, CancellationToken cancellation = default)
    {
        options = (options ?? new PixelOcclusionOptions()).Validated();
        return Analyze(net, OcclusionClip.FromVideo(video, options.Frames, cancellation), options, progress, cancellation);
    }

    /// <summary>Maps a clip already in memory; all of its frames are masked.</summary>
    public static PixelOcclusionMap Analyze(DeepImpressionNet net, OcclusionClip clip, PixelOcclusionOptions? options = null,
        IProgress<(int Done, int Total)>? progress = null, CancellationToken cancellation = default)
    {
        options = (options ?? new PixelOcclusionOptions()).Validated();
        return TraitHead.InEvaluationMode(net, () =>
        {
            var clock = Stopwatch.StartNew();
            var grid = OcclusionGrid.Centred(clip.Height, clip.Width, options.MaskSize, options.Stride);
            var occlusion = new StreamOcclusion(net.Visual, grid, options.Fill, options.Method, options.BatchSize);
            var audio = TraitHead.AudioFeatures(net, clip.Waveform);
            var visual = occlusion.Run(clip.Frames(), net.Device, progress, cancellation);
            var baseline = TraitHead.Predict(net, audio, visual.Baseline, 1);
            var masked = TraitHead.Predict(net, audio, visual.Masked, grid.Count);
            var cost = new OcclusionCost(options.Method, occlusion.Plan.NaiveMultiplyAdds * clip.FrameCount,
                occlusion.Plan.IncrementalMultiplyAdds * clip.FrameCount, clock.Elapsed);
            return new PixelOcclusionMap(clip.Source, grid, clip.FrameCount, clip.RepresentativeFrame, baseline, masked, options, cost, occlusion.Plan);
        });
    }
}
