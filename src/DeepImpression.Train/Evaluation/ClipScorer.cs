using DeepImpression.Core.Autograd;
using DeepImpression.Core.Model;
using DeepImpression.Core.Tensors;
using DeepImpression.Train.Data.Labels;

namespace DeepImpression.Train.Evaluation;

/// <summary>
/// The original's test-time procedure fed piece by piece, so that a clip of any length is scored in bounded memory:
/// the waveform, as it arrives, through the auditory stream in overlapping windows whose stitched map is the
/// whole-waveform map (<see cref="WindowedAuditoryFeatures"/>); the frames, chunk by chunk, through the visual stream,
/// whose 256 features per frame are summed; then the averages through the fusion layer. <c>predict</c> (frames
/// streamed from ffmpeg) and <c>evaluate</c> (frames from the cache) both score through it. The network must be in
/// evaluation mode.
/// </summary>
internal sealed class ClipScorer
{
    private readonly DeepImpressionNet _net;
    private readonly WindowedAuditoryFeatures _audio;
    private readonly double[] _visualSum;

    public ClipScorer(DeepImpressionNet net, int audioWindowPositions = WindowedAuditoryFeatures.DefaultPositionsPerWindow)
    {
        _net = net;
        RequireEvaluationMode();
        _audio = new WindowedAuditoryFeatures(net.Auditory, audioWindowPositions);
        _visualSum = new double[net.Visual.FeatureCount];
    }

    /// <summary>Frames added so far.</summary>
    public int Frames { get; private set; }

    /// <summary>Audio samples added so far.</summary>
    public long AudioSamples => _audio.Samples;

    /// <summary>Audio windows run through the auditory stream so far.</summary>
    public int AudioWindows => _audio.Windows;

    /// <summary>Adds the next samples of the waveform (16 kHz mono, [-1, 1]).</summary>
    public void AddAudio(ReadOnlySpan<float> samples) => _audio.Add(samples);

    /// <summary>Adds <paramref name="count"/> frames (count x 3 x <paramref name="height"/> x <paramref name="width"/>,
    /// raw RGB values 0..255) through the visual stream at once.</summary>
    public void AddFrames(ReadOnlySpan<float> frames, int count, int height, int width)
    {
        RequireEvaluationMode();
        if (count < 1) return;
        int floats = checked(count * 3 * height * width);
        if (frames.Length < floats) throw new ArgumentException($"{count} frames of 3 x {height} x {width} need {floats} floats, got {frames.Length}.", nameof(frames));
        float[] features;
        using (Backprop.NoGrad())
        using (TensorScope.Begin())
        {
            var x = Tensor.FromArray(frames[..floats], new Shape(count, 3, height, width), _net.Device);
            features = _net.Visual.Forward(x).ToArray();
        }
        int n = _visualSum.Length;
        for (int f = 0; f < count; f++)
            for (int j = 0; j < n; j++) _visualSum[j] += features[f * n + j];
        Frames += count;
    }

    /// <summary>The five trait scores: the auditory features of the whole waveform and the visual features averaged
    /// over every frame added, through the fusion layer.</summary>
    public TraitScores Complete()
    {
        RequireEvaluationMode();
        if (Frames == 0) throw new InvalidOperationException("The clip has no frames.");
        var audio = _audio.Complete();
        var visual = new float[_visualSum.Length];
        for (int j = 0; j < visual.Length; j++) visual[j] = (float)(_visualSum[j] / Frames);
        using (Backprop.NoGrad())
        using (TensorScope.Begin())
        {
            var scores = _net.Fuse(Tensor.FromArray(audio, new Shape(1, audio.Length), _net.Device),
                Tensor.FromArray(visual, new Shape(1, visual.Length), _net.Device));
            return TraitScores.FromSpan(scores.ToArray());
        }
    }

    private void RequireEvaluationMode()
    {
        if (_net.IsTraining) throw new InvalidOperationException("The test-time procedure needs the network in evaluation mode; call SetTraining(false) first.");
    }
}
