using DeepImpression.Core.Autograd;
using DeepImpression.Core.Model;
using DeepImpression.Core.Tensors;

namespace DeepImpression.Train.Tests.Analysis;

/// <summary>
/// A network with random weights, random batch-norm scales and shifts, and running statistics measured on random
/// inputs (a few training-mode forwards), in evaluation mode: every layer does something and activations keep a
/// moderate scale through both streams, so the predictions respond to a mask and a wrong crop, padding or box shows.
/// </summary>
internal static class RandomNetwork
{
    public static DeepImpressionNet Create(ulong seed)
    {
        var net = new DeepImpressionNet(Device.Cpu, seed);
        var random = new Random((int)seed);
        foreach (var (path, tensor) in net.NamedParameters())
        {
            if (!path.Contains("/bn", StringComparison.Ordinal)) continue;
            bool gamma = path.EndsWith("gamma", StringComparison.Ordinal);
            tensor.CopyFrom(Enumerable.Range(0, tensor.Count)
                .Select(_ => (float)(gamma ? 0.7 + 0.6 * random.NextDouble() : 0.3 * (random.NextDouble() - 0.5))).ToArray());
        }
        // Running statistics from data: 30 training-mode forwards (decay 0.9) of random clips.
        var rng = new Rng(seed + 100);
        using (Backprop.NoGrad())
        {
            net.SetTraining(true);
            for (int i = 0; i < 30; i++)
            {
                using var scope = TensorScope.Begin();
                net.Forward(Tensor.RandomUniform(new Shape(4, 1, 1, 6000), rng, -1, 1), Tensor.RandomUniform(new Shape(4, 3, 40, 64), rng, 0, 255));
            }
        }
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
}
