using System.Diagnostics;
using DeepImpression.Core;
using DeepImpression.Core.Model;

namespace DeepImpression.Train.Analysis.Occlusion;

/// <summary>
/// Temporal audio occlusion of one clip: each window of the waveform is masked in turn (silence unless asked
/// otherwise), the whole masked waveform goes through the auditory stream (incrementally: only what the window
/// reaches is recomputed), the visual features are those of the unmasked frames, and the five predictions are
/// compared with the unmasked ones.
/// </summary>
public static class AudioOcclusion
{
    /// <summary>Decodes <paramref name="video"/> and maps it; bad files throw <see cref="InvalidInputException"/>.</summary>
    public static AudioOcclusionMap AnalyzeVideo(DeepImpressionNet net, string video, AudioOcclusionOptions? options = null,
        IProgress<(int Done, int Total)>? progress = null, CancellationToken cancellation = default)
    {
        options = (options ?? new AudioOcclusionOptions()).Validated();
        return Analyze(net, OcclusionClip.FromVideo(video, options.Frames, cancellation), options, progress, cancellation);
    }

    /// <summary>Maps a clip already in memory (all its frames give the visual features).</summary>
    public static AudioOcclusionMap Analyze(DeepImpressionNet net, OcclusionClip clip, AudioOcclusionOptions? options = null,
        IProgress<(int Done, int Total)>? progress = null, CancellationToken cancellation = default)
    {
        options = (options ?? new AudioOcclusionOptions()).Validated();
        return TraitHead.InEvaluationMode(net, () =>
        {
            var clock = Stopwatch.StartNew();
            var grid = OcclusionGrid.AlongTime(clip.Waveform.Length, options.Window, options.Hop);
            StreamOcclusion occlusion;
            try
            {
                occlusion = new StreamOcclusion(net.Auditory, grid, options.Fill, options.Method, options.BatchSize);
            }
            catch (ArgumentException e)
            {
                throw new InvalidInputException($"{clip.Source}: the audio is too short for the network ({clip.Waveform.Length} samples): {e.Message}");
            }
            var visual = TraitHead.VisualFeatures(net, clip);
            var audio = occlusion.Run([clip.Waveform], net.Device, progress, cancellation);
            var baseline = TraitHead.Predict(net, audio.Baseline, visual, 1);
            var masked = TraitHead.Predict(net, audio.Masked, visual, grid.Count);
            var cost = new OcclusionCost(options.Method, occlusion.Plan.NaiveMultiplyAdds, occlusion.Plan.IncrementalMultiplyAdds, clock.Elapsed);
            return new AudioOcclusionMap(clip.Source, grid, clip.Waveform, baseline, masked, options, cost);
        });
    }
}
