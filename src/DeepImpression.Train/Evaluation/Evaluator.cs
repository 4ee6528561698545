using DeepImpression.Core.Model;
using DeepImpression.Train.Data.Cache;
using DeepImpression.Train.Data.Labels;
using DeepImpression.Train.Data.Loading;

namespace DeepImpression.Train.Evaluation;

/// <summary>Runs the test-time procedure on clips of a cache: the whole waveform, every cached frame.</summary>
public static class Evaluator
{
    public static List<ClipPrediction> Predict(DeepImpressionNet net, ClipCache cache, IReadOnlyList<int> clips, int chunkSize,
        Action<int, int>? progress = null, CancellationToken cancellation = default)
    {
        var results = new List<ClipPrediction>(clips.Count);
        foreach (var clip in TestClip.LoadAll(cache, clips, cancellation))
        {
            cancellation.ThrowIfCancellationRequested();
            var frames = new FrameArray(clip.Frames, clip.FrameCount, clip.FrameSize.Height, clip.FrameSize.Width);
            var scores = net.PredictClip(clip.Audio, frames, chunkSize);
            results.Add(new ClipPrediction(clip.Clip, TraitScores.FromSpan(scores), clip.Targets));
            progress?.Invoke(results.Count, clips.Count);
        }
        return results;
    }

    /// <summary>Accuracy over the predictions that have labels.</summary>
    public static TraitAccuracy Score(IEnumerable<ClipPrediction> predictions) =>
        TraitAccuracy.Compute(predictions.Where(p => p.Target is not null).Select(p => (p.Predicted, p.Target!.Value)).ToList());
}
