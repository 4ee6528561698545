using DeepImpression.Core.Layers;
using DeepImpression.Core.Model;
using DeepImpression.Core.Tensors;
using DeepImpression.Cuda.Dnn;

namespace DeepImpression.Cuda.Tests.Parity;

/// <summary>
/// The convolutions the network asks a backend for, computed from the model's own layers and geometry (nothing
/// runs): every convolution's input, filter and geometry, for a training step (forward, filter gradient, and data
/// gradient except for the first layer, whose input is data) or for the test-time procedure (forward only). Counting
/// the distinct keys counts cuDNN's Find calls: one per distinct full key before the plan, one per distinct key
/// without the batch size now.
/// </summary>
internal static class ConvolutionCensus
{
    /// <summary>The keys of one training step on batches of <paramref name="n"/>.</summary>
    public static IEnumerable<ConvolutionKey> TrainingStep(DeepImpressionNet net, int n, int audioSamples, int crop) =>
        Stream(net.Auditory, n, 1, audioSamples, training: true).Concat(Stream(net.Visual, n, crop, crop, training: true));

    /// <summary>The keys of the test-time procedure on one clip: the whole waveform, the frames in chunks.</summary>
    public static IEnumerable<ConvolutionKey> TestClip(DeepImpressionNet net, int audioSamples, int frames, int height, int width, int chunk)
    {
        foreach (var key in Stream(net.Auditory, 1, 1, audioSamples, training: false)) yield return key;
        for (int start = 0; start < frames; start += chunk)
            foreach (var key in Stream(net.Visual, Math.Min(chunk, frames - start), height, width, training: false)) yield return key;
    }

    private static IEnumerable<ConvolutionKey> Stream(ResidualStream stream, int n, int h, int w, bool training)
    {
        var input = new TensorDescriptorShape(n, stream.Geometry.InputChannels, h, w);
        foreach (var key in Layer(stream.Conv1.Conv, input, training, dataGradient: false)) yield return key;
        var x = Output(stream.Conv1.Conv, input);
        var (ph, pw) = stream.Geometry.Pool1.OutputShape(x.H, x.W);
        x = x with { H = ph, W = pw };
        foreach (var block in stream.Blocks)
        {
            foreach (var key in Layer(block.Branch2a, x, training, dataGradient: true)) yield return key;
            var h2 = Output(block.Branch2a, x);
            foreach (var key in Layer(block.Branch2b, h2, training, dataGradient: true)) yield return key;
            if (block.Branch1 is { } shortcut)
                foreach (var key in Layer(shortcut, x, training, dataGradient: true)) yield return key;
            x = Output(block.Branch2b, h2);
        }
    }

    private static IEnumerable<ConvolutionKey> Layer(Conv2d conv, TensorDescriptorShape input, bool training, bool dataGradient)
    {
        var filter = new TensorDescriptorShape(conv.OutChannels, conv.InChannels, conv.Kernel.H, conv.Kernel.W);
        yield return new ConvolutionKey(ConvolutionDirection.Forward, input, filter, conv.Geometry, false);
        if (!training) yield break;
        yield return new ConvolutionKey(ConvolutionDirection.BackwardFilter, input, filter, conv.Geometry, false);
        if (dataGradient) yield return new ConvolutionKey(ConvolutionDirection.BackwardData, input, filter, conv.Geometry, false);
    }

    private static TensorDescriptorShape Output(Conv2d conv, TensorDescriptorShape input)
    {
        var (oh, ow) = conv.Geometry.OutputShape(input.H, input.W, conv.Kernel.H, conv.Kernel.W);
        return new TensorDescriptorShape(input.N, conv.OutChannels, oh, ow);
    }

    /// <summary>(Find calls per full key, as before the plan; Find calls per shape and direction, as now).</summary>
    public static (int Before, int After) Searches(IEnumerable<ConvolutionKey> keys)
    {
        var all = keys.ToList();
        return (all.Distinct().Count(), all.Select(k => k.PerExample).Distinct().Count());
    }
}
