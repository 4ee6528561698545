using DeepImpression.Core.Autograd;
using DeepImpression.Core.Layers;
using DeepImpression.Core.Ops;
using DeepImpression.Core.Tensors;

namespace DeepImpression.Core.Model;

/// <summary>
/// The audiovisual deep residual network of Deep Impression: the auditory stream <c>aud</c> and the visual stream
/// <c>vis</c> each give 256 features; <c>fc</c> maps the 512 to 5 and y = (tanh(z) + 1) / 2. Output order:
/// Extraversion, Agreeableness, Conscientiousness, Neuroticism, Openness.
/// </summary>
public sealed class DeepImpressionNet : Link
{
    /// <summary>Number of outputs: the Big Five traits.</summary>
    public const int TraitCount = 5;
    /// <summary>Audio samples of one training example (about 3.1 s at 16 kHz), as in the original.</summary>
    public const int TrainingAudioSamples = 50_176;
    /// <summary>Height and width of the square frame crop a training example uses.</summary>
    public const int TrainingFrameSize = 224;
    /// <summary>Width of the frames the test-time procedure runs on.</summary>
    public const int TestFrameWidth = 456;
    /// <summary>Height of the frames the test-time procedure runs on.</summary>
    public const int TestFrameHeight = 256;

    /// <summary>A freshly initialized network on <paramref name="device"/>; the same <paramref name="seed"/> gives the same weights on every device.</summary>
    public DeepImpressionNet(Device device, ulong seed = 0) : this(device, new Rng(seed)) { }

    /// <summary>A freshly initialized network on <paramref name="device"/>, drawing its initial weights from <paramref name="rng"/> in a fixed order.</summary>
    public DeepImpressionNet(Device device, Rng rng) : base(device)
    {
        // Initialization order (aud, vis, fc) fixes which random numbers each parameter gets.
        Auditory = AddChild("aud", new ResidualStream(StreamGeometry.Auditory, rng, device));
        Visual = AddChild("vis", new ResidualStream(StreamGeometry.Visual, rng, device));
        Fusion = AddChild("fc", new Linear(Auditory.FeatureCount + Visual.FeatureCount, TraitCount, rng, device));
    }

    /// <summary>The auditory stream (<c>aud</c>).</summary>
    public ResidualStream Auditory { get; }
    /// <summary>The visual stream (<c>vis</c>).</summary>
    public ResidualStream Visual { get; }
    /// <summary>The layer mapping the concatenated 512 features to the 5 traits (<c>fc</c>).</summary>
    public Linear Fusion { get; }

    /// <summary>audio (N,1,1,L) and frames (N,3,H,W) -> trait scores (N,5) in [0,1].</summary>
    public Tensor Forward(Tensor audio, Tensor frames)
    {
        if (audio.Rank != 4 || frames.Rank != 4 || audio.Dim(0) != frames.Dim(0))
            throw new ArgumentException($"DeepImpressionNet: audio (N,1,1,L) and frames (N,3,H,W) must share N; got {audio.Shape} and {frames.Shape}.");
        var a = Auditory.Forward(audio);
        var v = Visual.Forward(frames);
        return Fuse(a, v);
    }

    /// <summary>Audio features (N,256) and visual features (N,256) -> trait scores (N,5).</summary>
    public Tensor Fuse(Tensor audioFeatures, Tensor visualFeatures)
    {
        var z = Fusion.Forward(Op.Concat([audioFeatures, visualFeatures], 1));
        return Op.Affine(Op.Tanh(z), 0.5f, 0.5f);
    }

    /// <summary>
    /// The original's test-time procedure for one clip: the whole waveform through <c>aud</c>; every frame through
    /// <c>vis</c> in chunks of <paramref name="chunkSize"/> frames (0: <see cref="TestChunk"/>), the 256 visual features averaged over all frames; then
    /// <c>fc</c>. Runs in evaluation mode without recording; memory is bounded by the chunk size.
    /// </summary>
    public float[] PredictClip(ReadOnlySpan<float> waveform, IFrameSource frames, int chunkSize = 0)
    {
        if (chunkSize == 0) chunkSize = TestChunk(frames.Height, frames.Width);
        if (chunkSize < 0) throw new ArgumentOutOfRangeException(nameof(chunkSize), "chunk size must be positive (or 0: sized for the caches).");
        if (frames.FrameCount == 0) throw new ArgumentException("PredictClip: the clip has no frames.");
        bool wasTraining = IsTraining;
        SetTraining(false);
        try
        {
            using var noGrad = Backprop.NoGrad();
            using var scope = TensorScope.Begin();
            var audio = Tensor.FromArray(waveform, new Shape(1, 1, 1, waveform.Length), Device);
            var audioFeatures = Auditory.Forward(audio);

            var sum = new double[Visual.FeatureCount];
            var chunk = new float[Math.Min(chunkSize, frames.FrameCount) * 3 * frames.Height * frames.Width];
            var features = new float[Math.Min(chunkSize, frames.FrameCount) * Visual.FeatureCount];
            for (int start = 0; start < frames.FrameCount; start += chunkSize)
            {
                int count = Math.Min(chunkSize, frames.FrameCount - start);
                using var chunkScope = TensorScope.Begin();
                var span = chunk.AsSpan(0, count * 3 * frames.Height * frames.Width);
                frames.CopyFrames(start, count, span);
                var x = Tensor.FromArray(span, new Shape(count, 3, frames.Height, frames.Width), Device);
                var f = Visual.Forward(x);
                f.CopyTo(features.AsSpan(0, count * Visual.FeatureCount));
                for (int i = 0; i < count; i++)
                    for (int j = 0; j < sum.Length; j++) sum[j] += features[i * sum.Length + j];
            }
            var mean = new float[sum.Length];
            for (int j = 0; j < sum.Length; j++) mean[j] = (float)(sum[j] / frames.FrameCount);
            var visualFeatures = Tensor.FromArray(mean, new Shape(1, Visual.FeatureCount), Device);
            return Fuse(audioFeatures, visualFeatures).ToArray();
        }
        finally
        {
            SetTraining(wasTraining);
        }
    }

    /// <summary>
    /// Frames per chunk of the test-time visual stream: as many as keep the chunk's largest activations (the first
    /// layer's output and its pooled map) within half the last-level cache, so that each layer reads what the one
    /// before it wrote from the cache; at least one, at most 32 (a GPU gains nothing past that either).
    /// </summary>
    public int TestChunk(int frameHeight, int frameWidth)
    {
        var layer = Visual.Convolutions("", 1, frameHeight, frameWidth)[0];
        var (ph, pw) = Visual.Geometry.Pool1.OutputShape(layer.Output[2], layer.Output[3]);
        long perFrame = 4L * (layer.Output.Count + (long)layer.Output[1] * ph * pw);
        return (int)Math.Clamp(Backends.Cpu.CpuCaches.LastLevelBytes / 2 / Math.Max(1, perFrame), 1, 32);
    }

    /// <summary>Every convolution of both streams with the input it sees, for batch <paramref name="n"/> of audio of
    /// <paramref name="audioSamples"/> samples and frames of <paramref name="frameH"/> x <paramref name="frameW"/>.</summary>
    public IReadOnlyList<ConvolutionLayer> Convolutions(int n, int audioSamples, int frameH, int frameW) =>
        [.. Auditory.Convolutions("aud/", n, 1, audioSamples), .. Visual.Convolutions("vis/", n, frameH, frameW)];

    /// <summary>Every layer with its output shape for audio of <paramref name="audioSamples"/> samples and frames of
    /// <paramref name="frameH"/> x <paramref name="frameW"/>, batch <paramref name="n"/>.</summary>
    public IReadOnlyList<LayerInfo> Describe(int n, int audioSamples, int frameH, int frameW)
    {
        var rows = new List<LayerInfo>();
        rows.AddRange(Auditory.Describe("aud/", n, 1, audioSamples));
        rows.AddRange(Visual.Describe("vis/", n, frameH, frameW));
        rows.Add(new LayerInfo("fc", "concat 256+256, linear 512->5, (tanh+1)/2", new Shape(n, TraitCount),
            Fusion.ParameterCount, (long)n * Fusion.InFeatures * Fusion.OutFeatures));
        return rows;
    }
}
