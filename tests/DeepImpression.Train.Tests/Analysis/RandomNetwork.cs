using DeepImpression.Core.Layers;
using DeepImpression.Core.Model;
using DeepImpression.Core.Tensors;

namespace DeepImpression.Train.Tests.Analysis;

/// <summary>A network with random weights and random batch-norm statistics, in evaluation mode: every layer does
/// something, so a wrong crop, padding or box shows in its output.</summary>
internal static class RandomNetwork
{
    public static DeepImpressionNet Create(ulong seed)
    {
        var net = new DeepImpressionNet(Device.Cpu, seed);
        var random = new Random((int)seed);
        foreach (var (path, tensor) in net.NamedState())
        {
            if (!path.Contains("/bn", StringComparison.Ordinal)) continue;
            var values = new float[tensor.Count];
            for (int i = 0; i < values.Length; i++)
            {
                values[i] = path.EndsWith("avg_var", StringComparison.Ordinal) ? (float)(0.5 + random.NextDouble())
                    : path.EndsWith("gamma", StringComparison.Ordinal) ? (float)(0.7 + 0.6 * random.NextDouble())
                    : (float)(0.3 * (random.NextDouble() - 0.5));
            }
            tensor.CopyFrom(values);
        }
        // The stem normalizes raw 0..255 pixels: give its running statistics that scale.
        SetStatistics(net.Visual.Conv1.Bn, mean: 0f, variance: 255f * 255f * 40f);
        net.SetTraining(false);
        return net;
    }

    public static float[] Frame(int channels, int height, int width, int seed, float scale = 255f)
    {
        var random = new Random(seed);
        var frame = new float[channels * height * width];
        for (int i = 0; i < frame.Length; i++) frame[i] = (float)(scale * random.NextDouble());
        return frame;
    }

    private static void SetStatistics(BatchNorm2d bn, float mean, float variance)
    {
        bn.AverageMean.CopyFrom(Enumerable.Repeat(mean, bn.Channels).ToArray());
        bn.AverageVariance.CopyFrom(Enumerable.Repeat(variance, bn.Channels).ToArray());
    }
}
