using DeepImpression.Core.Backends;
using DeepImpression.Core.Model;
using DeepImpression.Core.Ops;
using DeepImpression.Core.Optim;
using DeepImpression.Core.Tensors;

namespace DeepImpression.Core.Tests.Backends;

/// <summary>
/// Multithreaded kernels must not let thread timing into the numbers: resumed training is promised to repeat an
/// uninterrupted run bit for bit. Repeats work big enough to be split across the cores and compares the bits.
/// </summary>
[TestFixture]
public class DeterminismTests
{
    [Test]
    public void Filter_and_data_gradients_are_the_same_bits_on_every_call()
    {
        var backend = BackendRegistry.Get(Device.Cpu);
        var rng = new Rng(5);
        foreach (var (x, w, g) in new[]
                 {
                     (new Shape(8, 32, 1, 785), new Shape(64, 32, 1, 9), new ConvolutionGeometry(1, 4, 0, 4)),
                     (new Shape(8, 16, 29, 29), new Shape(32, 16, 3, 3), new ConvolutionGeometry(1, 1, 1, 1)),
                     (new Shape(8, 3, 56, 56), new Shape(32, 3, 7, 7), new ConvolutionGeometry(2, 2, 3, 3)),
                 })
        {
            using var scope = TensorScope.Begin();
            var input = Tensor.RandomNormal(x, rng);
            var filter = Tensor.RandomNormal(w, rng);
            var (oh, ow) = g.OutputShape(x[2], x[3], w[2], w[3]);
            var dy = Tensor.RandomNormal(new Shape(x[0], w[0], oh, ow), rng);
            float[]? dwFirst = null, dxFirst = null;
            for (int i = 0; i < 6; i++)
            {
                var dw = Tensor.Empty(w);
                var dx = Tensor.Empty(x);
                backend.ConvolutionBackwardFilter(input, dy, dw, g);
                backend.ConvolutionBackwardData(filter, dy, dx, g);
                dwFirst ??= dw.ToArray();
                dxFirst ??= dx.ToArray();
                Assert.That(dw.ToArray(), Is.EqualTo(dwFirst), $"filter gradient, call {i}, {x} * {w}");
                Assert.That(dx.ToArray(), Is.EqualTo(dxFirst), $"data gradient, call {i}, {x} * {w}");
            }
        }
    }

    [Test]
    public void Training_steps_repeat_to_the_bit()
    {
        float[] Run()
        {
            var net = new DeepImpressionNet(Device.Cpu, 3);
            var adam = new Adam(net.NamedParameters());
            var rng = new Rng(1);
            var audio = Tensor.RandomUniform(new Shape(4, 1, 1, 8192), rng, -1, 1);
            var frames = Tensor.RandomUniform(new Shape(4, 3, 48, 48), rng, 0, 255);
            var targets = Tensor.RandomUniform(new Shape(4, 5), rng);
            var losses = new float[4];
            for (int i = 0; i < losses.Length; i++)
            {
                using var scope = TensorScope.Begin();
                net.ZeroGradients();
                var loss = Op.MeanAbsoluteError(net.Forward(audio, frames), targets);
                losses[i] = loss.Item();
                loss.Backward();
                adam.Step();
            }
            return losses;
        }
        var first = Run();
        for (int repeat = 0; repeat < 2; repeat++) Assert.That(Run(), Is.EqualTo(first));
    }
}
