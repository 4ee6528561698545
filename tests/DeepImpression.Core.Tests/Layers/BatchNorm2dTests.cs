using DeepImpression.Core.Autograd;
using DeepImpression.Core.Layers;
using DeepImpression.Core.Tensors;

namespace DeepImpression.Core.Tests.Layers;

[TestFixture]
public class BatchNorm2dTests
{
    [Test]
    public void Running_statistics_after_several_steps_follow_the_original_update_rule()
    {
        var bn = new BatchNorm2d(3, Device.Cpu);
        var rng = new Rng(11);
        double[] mean = [0, 0, 0], variance = [1, 1, 1];
        for (int step = 0; step < 4; step++)
        {
            var x = Tensor.RandomNormal(new Shape(2, 3, 4, 5), rng, 1.5f + step, 2f);
            using (Backprop.NoGrad()) bn.Forward(x);
            var v = x.ToArray();
            for (int c = 0; c < 3; c++)
            {
                var values = Enumerable.Range(0, 2).SelectMany(n => Enumerable.Range(0, 20).Select(i => (double)v[(n * 3 + c) * 20 + i])).ToArray();
                double m = values.Average();
                double unbiased = values.Sum(a => (a - m) * (a - m)) / (values.Length - 1);
                mean[c] = 0.9 * mean[c] + 0.1 * m;
                variance[c] = 0.9 * variance[c] + 0.1 * unbiased;
            }
        }
        Assert.That(bn.AverageMean.ToArray(), Is.EqualTo(mean.Select(a => (float)a).ToArray()).Within(1e-4));
        Assert.That(bn.AverageVariance.ToArray(), Is.EqualTo(variance.Select(a => (float)a).ToArray()).Within(1e-3));
    }

    [Test]
    public void Evaluation_mode_uses_the_running_statistics()
    {
        var bn = new BatchNorm2d(2, Device.Cpu);
        bn.AverageMean.CopyFrom([1f, -1f]);
        bn.AverageVariance.CopyFrom([4f, 0.25f]);
        bn.Gamma.CopyFrom([2f, 1f]);
        bn.Beta.CopyFrom([0.5f, 0f]);
        bn.SetTraining(false);
        var x = Tensor.FromArray([3f, 1f, 0f, 0.5f], new Shape(1, 2, 1, 2));
        float[] y;
        using (Backprop.NoGrad()) y = bn.Forward(x).ToArray();
        double s0 = 2 / Math.Sqrt(4 + 2e-5), s1 = 1 / Math.Sqrt(0.25 + 2e-5);
        Assert.That(y, Is.EqualTo(new[] { (float)(s0 * 2 + 0.5), (float)(s0 * 0 + 0.5), (float)(s1 * 1), (float)(s1 * 1.5) }).Within(1e-5));
    }
}
