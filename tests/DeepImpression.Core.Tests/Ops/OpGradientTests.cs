using DeepImpression.Core.Autograd;
using DeepImpression.Core.Backends;
using DeepImpression.Core.Ops;
using DeepImpression.Core.Tensors;
using DeepImpression.Core.Tests.Autograd;

namespace DeepImpression.Core.Tests.Ops;

/// <summary>Every op's recorded gradient against central finite differences, on shapes like the network's.</summary>
[TestFixture]
public class OpGradientTests
{
    private static Tensor Random(Rng rng, params int[] dims) => Tensor.RandomNormal(new Shape(dims), rng);

    private static readonly object[] ConvolutionCases =
    [
        new object[] { new[] { 2, 1, 1, 61 }, new[] { 3, 1, 1, 49 }, new ConvolutionGeometry(1, 4, 0, 24) },
        new object[] { new[] { 1, 3, 1, 37 }, new[] { 4, 3, 1, 9 }, new ConvolutionGeometry(1, 4, 0, 4) },
        new object[] { new[] { 2, 3, 13, 11 }, new[] { 4, 3, 7, 7 }, new ConvolutionGeometry(2, 2, 3, 3) },
        new object[] { new[] { 2, 4, 7, 9 }, new[] { 3, 4, 3, 3 }, new ConvolutionGeometry(1, 1, 1, 1) },
        new object[] { new[] { 3, 4, 9, 7 }, new[] { 5, 4, 1, 1 }, new ConvolutionGeometry(2, 2, 0, 0) },
    ];

    [TestCaseSource(nameof(ConvolutionCases))]
    public void Conv2d(int[] xShape, int[] wShape, ConvolutionGeometry geometry)
    {
        var rng = new Rng(1);
        var x = Random(rng, xShape);
        var w = Random(rng, wShape);
        var b = Random(rng, wShape[0]);
        GradientCheck.Assert(t => Op.Conv2d(t[0], t[1], t[2], geometry), [x, w, b], label: $"conv {geometry}");
    }

    [TestCase(2, 3, 5, 4, false)]
    [TestCase(4, 2, 1, 9, false)]
    [TestCase(2, 3, 5, 4, true)]
    [TestCase(4, 2, 1, 9, true)]
    public void BatchNormTraining(int n, int c, int h, int w, bool relu)
    {
        var rng = new Rng(relu ? 3UL : 2UL);
        var x = Random(rng, n, c, h, w);
        var gamma = Tensor.RandomUniform(new Shape(c), rng, 0.5f, 1.5f);
        var beta = Random(rng, c);
        var mean = Tensor.Zeros(new Shape(c));
        var variance = Tensor.Ones(new Shape(c));
        // A quadratic projection keeps the loss from being invariant to x's shift and scale (as Σ r·y of BN nearly is).
        // With the ReLU a small step: a larger one moves outputs across its kink, where differences say nothing.
        GradientCheck.Assert(t => relu
                ? Op.BatchNormReluTraining(t[0], t[1], t[2], mean, variance, 0.9, 2e-5)
                : Op.BatchNormTraining(t[0], t[1], t[2], mean, variance, 0.9, 2e-5), [x, gamma, beta],
            epsilon: relu ? 1e-3 : 1e-2, relativeTolerance: 3e-2, absoluteTolerance: 2e-3, label: relu ? "batch norm + relu" : "batch norm");
    }

    [TestCase(false)]
    [TestCase(true)]
    public void Fused_batch_norm_relu_has_the_values_and_gradients_of_its_parts_bit_for_bit(bool withResidual)
    {
        var rng = new Rng(5);
        var x = Random(rng, 3, 4, 5, 6);
        var residual = Random(rng, 3, 4, 5, 6);
        var gamma = Tensor.RandomUniform(new Shape(4), rng, 0.5f, 1.5f);
        var beta = Random(rng, 4);
        var upstream = Random(rng, 1, 3 * 4 * 5 * 6);
        Tensor[] inputs = withResidual ? [x, gamma, beta, residual] : [x, gamma, beta];
        Tensor Mean() => Tensor.Zeros(new Shape(4));
        Tensor Variance() => Tensor.Ones(new Shape(4));

        (float[] Y, float[][] Grads) Run(Func<Tensor> f)
        {
            foreach (var t in inputs) { t.RequiresGrad = true; t.Grad = null; }
            float[] y;
            using (TensorScope.Begin())
            {
                var output = f();
                y = output.ToArray();
                Op.Linear(Op.Reshape(output, new Shape(1, output.Count)), upstream, null).Backward();
            }
            return (y, inputs.Select(t => t.Grad!.ToArray()).ToArray());
        }

        var fused = withResidual
            ? Run(() => Op.BatchNormAddReluTraining(x, residual, gamma, beta, Mean(), Variance(), 0.9, 2e-5))
            : Run(() => Op.BatchNormReluTraining(x, gamma, beta, Mean(), Variance(), 0.9, 2e-5));
        var composed = Run(() =>
        {
            var normalized = Op.BatchNormTraining(x, gamma, beta, Mean(), Variance(), 0.9, 2e-5);
            return Op.Relu(withResidual ? Op.Add(normalized, residual) : normalized);
        });
        Assert.That(fused.Y, Is.EqualTo(composed.Y), "y");
        Assert.That(fused.Y.Count(v => v == 0f), Is.GreaterThan(0), "the ReLU clips some outputs, so its gate is exercised");
        string[] names = ["dx", "dgamma", "dbeta", "dresidual"];
        for (int i = 0; i < inputs.Length; i++) Assert.That(fused.Grads[i], Is.EqualTo(composed.Grads[i]), names[i]);
    }

    [Test]
    public void BatchNormAddReluTraining_matches_finite_differences()
    {
        var rng = new Rng(6);
        var x = Random(rng, 2, 3, 4, 5);
        var residual = Random(rng, 2, 3, 4, 5);
        var gamma = Tensor.RandomUniform(new Shape(3), rng, 0.5f, 1.5f);
        var beta = Random(rng, 3);
        var mean = Tensor.Zeros(new Shape(3));
        var variance = Tensor.Ones(new Shape(3));
        GradientCheck.Assert(t => Op.BatchNormAddReluTraining(t[0], t[1], t[2], t[3], mean, variance, 0.9, 2e-5), [x, residual, gamma, beta],
            epsilon: 1e-3, relativeTolerance: 3e-2, absoluteTolerance: 2e-3, label: "batch norm + add + relu");
    }

    private static readonly object[] PoolingCases =
    [
        new object[] { new[] { 2, 3, 9, 10 }, new PoolingGeometry(3, 3, 2, 2, 1, 1, true) },
        new object[] { new[] { 1, 2, 1, 30 }, new PoolingGeometry(1, 9, 1, 4, 0, 4, true) },
        new object[] { new[] { 2, 2, 6, 5 }, new PoolingGeometry(2, 2, 2, 2, 0, 0, false) },
    ];

    [TestCaseSource(nameof(PoolingCases))]
    public void MaxPool2d(int[] xShape, PoolingGeometry geometry)
    {
        // Distinct values spaced apart, so that no finite-difference step changes which cell wins.
        var rng = new Rng(3);
        var count = new Shape(xShape).Count;
        var values = Enumerable.Range(0, count).Select(i => (float)i * 0.1f).ToArray();
        rng.Shuffle(values);
        var x = Tensor.FromArray(values, new Shape(xShape));
        GradientCheck.Assert(t => Op.MaxPool2d(t[0], geometry), [x], epsilon: 1e-3, label: $"max pool {geometry}");
    }

    [Test]
    public void AveragePools()
    {
        var rng = new Rng(4);
        var x = Random(rng, 2, 3, 5, 7);
        GradientCheck.Assert(t => Op.GlobalAveragePool(t[0]), [x], label: "global average pool");
        GradientCheck.Assert(t => Op.AveragePool2d(t[0], new PoolingGeometry(3, 3, 2, 2, 1, 1, false)), [x], label: "average pool");
    }

    [Test]
    public void Activations()
    {
        var rng = new Rng(5);
        // Keep ReLU inputs away from the kink at zero.
        var values = Enumerable.Range(0, 24).Select(_ => (float)((rng.NextDouble() < 0.5 ? -1 : 1) * (0.1 + rng.NextDouble()))).ToArray();
        var x = Tensor.FromArray(values, new Shape(2, 3, 2, 2));
        GradientCheck.Assert(t => Op.Relu(t[0]), [x], label: "relu");
        GradientCheck.Assert(t => Op.Tanh(t[0]), [x], label: "tanh");
        GradientCheck.Assert(t => Op.Affine(Op.Tanh(t[0]), 0.5f, 0.5f), [x], label: "scaled tanh");
    }

    [Test]
    public void Linear()
    {
        var rng = new Rng(6);
        GradientCheck.Assert(t => Op.Linear(t[0], t[1], t[2]), [Random(rng, 3, 7), Random(rng, 5, 7), Random(rng, 5)], label: "linear");
    }

    [Test]
    public void Add_concat_and_reductions()
    {
        var rng = new Rng(7);
        var a = Random(rng, 2, 3);
        var b = Random(rng, 2, 3);
        var c = Random(rng, 2, 4);
        GradientCheck.Assert(t => Op.Add(t[0], t[1]), [a, b], label: "add");
        GradientCheck.Assert(t => Op.Concat([t[0], t[1]], 1), [a, c], label: "concat axis 1");
        GradientCheck.Assert(t => Op.Concat([t[0], t[1]], 0), [a, b], label: "concat axis 0");
        GradientCheck.Assert(t => Op.Sum(t[0]), [c], label: "sum");
        GradientCheck.Assert(t => Op.Mean(t[0]), [c], label: "mean");
        GradientCheck.Assert(t => Op.MeanAxis(t[0], 0), [c], label: "mean over axis 0");
    }

    [Test]
    public void Mean_absolute_error()
    {
        var rng = new Rng(8);
        var p = Tensor.RandomUniform(new Shape(4, 5), rng);
        // Targets well away from the predictions: |p - t| has a kink where they meet.
        var t = Tensor.FromArray(p.ToArray().Select((v, i) => v + (i % 2 == 0 ? 0.3f : -0.3f)).ToArray(), new Shape(4, 5));
        GradientCheck.Assert(x => Op.MeanAbsoluteError(x[0], t), [p], label: "mae");
        using var scope = TensorScope.Begin();
        float loss = Op.MeanAbsoluteError(p, t).Item();
        Assert.That(loss, Is.EqualTo(0.3f).Within(1e-5));
    }
}
