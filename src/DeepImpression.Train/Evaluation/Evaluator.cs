using DeepImpression.Core.Model;
using DeepImpression.Train.Data.Cache;
using DeepImpression.Train.Data.Loading;

namespace DeepImpression.Train.Evaluation;

/// <summary>Runs the test-time procedure on clips of a cache: the whole waveform, every cached frame (the K that
/// <c>prepare</c> spread evenly over each clip), through the same <see cref="ClipScorer"/> as <c>predict</c>.</summary>
public static class Evaluator
{
    /// <summary>Predicts each clip of <paramref name="clips"/> (indices into <paramref name="cache"/>) with the test-time procedure (whole waveform, every stored frame), <paramref name="chunkSize"/> frames at a time.</summary>
    public static List<ClipPrediction> Predict(DeepImpressionNet net, ClipCache cache, IReadOnlyList<int> clips, int chunkSize,
        Action<int, int>? progress = null, CancellationToken cancellation = default)
    {
        if (chunkSize < 1) throw new ArgumentOutOfRangeException(nameof(chunkSize), "the chunk size must be at least 1.");
        var results = new List<ClipPrediction>(clips.Count);
        bool wasTraining = net.IsTraining;
        net.SetTraining(false);
        try
        {
            foreach (var clip in TestClip.LoadAll(cache, clips, cancellation))
            {
                cancellation.ThrowIfCancellationRequested();
                var scorer = new ClipScorer(net);
                scorer.AddAudio(clip.Audio);
                var (height, width) = (clip.FrameSize.Height, clip.FrameSize.Width);
                int frameFloats = clip.FrameSize.BytesPerFrame;
                for (int start = 0; start < clip.FrameCount; start += chunkSize)
                {
                    int count = Math.Min(chunkSize, clip.FrameCount - start);
                    scorer.AddFrames(clip.Frames.AsSpan(start * frameFloats, count * frameFloats), count, height, width);
                }
                results.Add(new ClipPrediction(clip.Clip, scorer.Complete(), clip.Targets));
                progress?.Invoke(results.Count, clips.Count);
            }
        }
        finally
        {
            net.SetTraining(wasTraining);
        }
        return results;
    }

    /// <summary>Accuracy over the predictions that have labels.</summary>
    public static TraitAccuracy Score(IEnumerable<ClipPrediction> predictions) =>
        TraitAccuracy.Compute(predictions.Where(p => p.Target is not null).Select(p => (p.Predicted, p.Target!.Value)).ToList());
}
