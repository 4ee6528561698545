using DeepImpression.Core.Autograd;
using DeepImpression.Core.Model;
using DeepImpression.Core.Tensors;

namespace DeepImpression.Train.Analysis.Occlusion;

/// <summary>
/// The network's ends that occlusion needs around the masked stream: the features of the stream that is not masked
/// (the whole waveform; frames averaged as the test-time procedure averages them) and the fusion layer on rows of
/// features, in evaluation mode without recording.
/// </summary>
internal static class TraitHead
{
    private const int Chunk = 1024;

    /// <summary>Runs <paramref name="work"/> with <paramref name="net"/> in evaluation mode, then restores its mode.</summary>
    public static T InEvaluationMode<T>(DeepImpressionNet net, Func<T> work)
    {
        bool wasTraining = net.IsTraining;
        net.SetTraining(false);
        try
        {
            return work();
        }
        finally
        {
            net.SetTraining(wasTraining);
        }
    }

    /// <summary>The auditory features (256) of the whole <paramref name="waveform"/>.</summary>
    public static float[] AudioFeatures(DeepImpressionNet net, float[] waveform)
    {
        using var noGrad = Backprop.NoGrad();
        using var scope = TensorScope.Begin();
        return net.Auditory.Forward(Tensor.FromArray(waveform, new Shape(1, 1, 1, waveform.Length), net.Device)).ToArray();
    }

    /// <summary>The visual features (256) averaged over every frame of <paramref name="frames"/>, in chunks.</summary>
    public static float[] VisualFeatures(DeepImpressionNet net, IFrameSource frames, int chunk = 16)
    {
        var sum = new double[net.Visual.FeatureCount];
        int size = 3 * frames.Height * frames.Width;
        var batch = new float[Math.Min(chunk, frames.FrameCount) * size];
        using var noGrad = Backprop.NoGrad();
        for (int start = 0; start < frames.FrameCount; start += chunk)
        {
            int count = Math.Min(chunk, frames.FrameCount - start);
            frames.CopyFrames(start, count, batch);
            using var scope = TensorScope.Begin();
            var x = Tensor.FromArray(batch.AsSpan(0, count * size), new Shape(count, 3, frames.Height, frames.Width), net.Device);
            var features = net.Visual.Forward(x).ToArray();
            for (int i = 0; i < features.Length; i++) sum[i % sum.Length] += features[i];
        }
        return sum.Select(s => (float)(s / frames.FrameCount)).ToArray();
    }

    /// <summary>
    /// Trait scores (rows x 5) from audio and visual feature rows (each rows x 256, or one row used for all).
    /// </summary>
    public static float[] Predict(DeepImpressionNet net, float[] audio, float[] visual, int rows)
    {
        int fa = net.Auditory.FeatureCount, fv = net.Visual.FeatureCount;
        if (audio.Length != fa && audio.Length != rows * fa) throw new ArgumentException($"audio features: {audio.Length} values for {rows} rows.", nameof(audio));
        if (visual.Length != fv && visual.Length != rows * fv) throw new ArgumentException($"visual features: {visual.Length} values for {rows} rows.", nameof(visual));
        var scores = new float[rows * DeepImpressionNet.TraitCount];
        using var noGrad = Backprop.NoGrad();
        for (int start = 0; start < rows; start += Chunk)
        {
            int count = Math.Min(Chunk, rows - start);
            using var scope = TensorScope.Begin();
            var a = Tensor.FromArray(Rows(audio, fa, start, count), new Shape(count, fa), net.Device);
            var v = Tensor.FromArray(Rows(visual, fv, start, count), new Shape(count, fv), net.Device);
            net.Fuse(a, v).CopyTo(scores.AsSpan(start * DeepImpressionNet.TraitCount, count * DeepImpressionNet.TraitCount));
        }
        return scores;
    }

    // Rows start .. start + count of a row-major array, or its single row repeated.
    private static float[] Rows(float[] values, int width, int start, int count)
    {
        if (values.Length == width) return Enumerable.Range(0, count).SelectMany(_ => values).ToArray();
        return values.AsSpan(start * width, count * width).ToArray();
    }
}
