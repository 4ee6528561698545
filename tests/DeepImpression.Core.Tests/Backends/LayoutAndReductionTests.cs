using DeepImpression.Core.Backends.Cpu.Kernels;
using DeepImpression.Core.Tensors;
using DeepImpression.Core.Tests.Reference;
using static DeepImpression.Core.Tests.Backends.BackendTestKit;

namespace DeepImpression.Core.Tests.Backends;

[TestFixture]
public sealed class LayoutAndReductionTests
{
    [TestCase(0)]
    [TestCase(1)]
    [TestCase(2)]
    [TestCase(-1)]
    public void Concat_lays_inputs_side_by_side_and_split_takes_them_apart(int axis)
    {
        int[] dims = [2, 3, 4];
        int a = axis < 0 ? axis + dims.Length : axis;
        var sizes = new[] { 1, 3, 2 };
        var parts = sizes.Select((s, i) => Uniform(dims.Select((d, j) => j == a ? s : d).Aggregate(1, (x, y) => x * y), 10 + i)).ToArray();
        var shapes = sizes.Select(s => dims.Select((d, j) => j == a ? s : d).ToArray()).ToArray();
        int[] outDims = dims.Select((d, j) => j == a ? sizes.Sum() : d).ToArray();
        var inputs = parts.Select((p, i) => T(p, shapes[i])).ToList();
        using var y = Poisoned(outDims);
        Cpu.Concat(inputs, axis, y);

        // Expected: element at (i0, i1, i2) of y comes from the part whose range along the axis holds it.
        var got = y.ToArray();
        var index = new int[3];
        for (int flat = 0; flat < got.Length; flat++)
        {
            int rest = flat;
            for (int d = 2; d >= 0; d--) { index[d] = rest % outDims[d]; rest /= outDims[d]; }
            int along = index[a], part = 0;
            while (along >= sizes[part]) { along -= sizes[part]; part++; }
            var local = (int[])index.Clone();
            local[a] = along;
            int src = (local[0] * shapes[part][1] + local[1]) * shapes[part][2] + local[2];
            Assert.That(got[flat], Is.EqualTo(parts[part][src]), $"y[{string.Join(",", index)}]");
        }

        var outputs = shapes.Select(s => Poisoned(s)).ToList();
        Cpu.Split(y, axis, outputs);
        for (int i = 0; i < parts.Length; i++) Assert.That(outputs[i].ToArray(), Is.EqualTo(parts[i]), $"part {i}");
        foreach (var t in inputs.Concat(outputs)) t.Dispose();
    }

    [TestCase(0)]
    [TestCase(1)]
    [TestCase(2)]
    [TestCase(3)]
    public void Sum_along_an_axis_matches_the_reference(int axis)
    {
        foreach (var level in Levels())
        {
            var cpu = At(level);
            int[] dims = [3, 17, 5, 33];
            var x = Uniform(dims.Aggregate(1, (p, d) => p * d), 20 + axis);
            using var tx = T(x, dims);
            using var y = Poisoned(dims.Select((d, j) => j == axis ? 1 : d).ToArray());
            cpu.SumAxis(tx, axis, y);
            AssertClose(y.ToArray(), NaiveReference.SumAxis(x, dims, axis), 1e-5, $"{level} sum over axis {axis}");
        }
    }

    [TestCase(1)]
    [TestCase(31)]
    [TestCase(1_000_003)]
    public void Sum_of_all_elements_is_accurate(int n)
    {
        foreach (var level in Levels())
        {
            var cpu = At(level);
            // Positive values with a large common part: float accumulation over a million of them would drift.
            var x = Uniform(n, 30, 1f, 2f);
            using var tx = T(x, n);
            using var y = Poisoned(1);
            cpu.Sum(tx, y);
            double expected = x.Sum(v => (double)v);
            Assert.That(y.ToArray()[0], Is.EqualTo(expected).Within(Math.Abs(expected) * 1e-6), $"{level}");
        }
    }

    [Test]
    public void Mean_absolute_error_and_its_gradient_with_sign_of_zero_being_zero()
    {
        var p = new[] { 0.5f, 0.25f, 0.75f, 0.1f, 0.9f, 0.3f };
        var t = new[] { 0.25f, 0.25f, 1.0f, 0.6f, 0.9f, 0.2f };
        using var tp = T(p, 2, 3);
        using var tt = T(t, 2, 3);
        using var loss = Poisoned(1);
        Cpu.MeanAbsoluteError(tp, tt, loss);
        Assert.That(loss.ToArray()[0], Is.EqualTo(NaiveReference.MeanAbsoluteError(p, t)).Within(1e-7));
        // |0.25| + 0 + |−0.25| + |−0.5| + 0 + |0.1| = 1.1, over 6.
        Assert.That(loss.ToArray()[0], Is.EqualTo(1.1 / 6).Within(1e-7));

        using var dLoss = T([3f], 1);
        using var dp = Poisoned(2, 3);
        Cpu.MeanAbsoluteErrorBackward(tp, tt, dLoss, dp);
        Assert.That(dp.ToArray(), Is.EqualTo(new[] { 0.5f, 0f, -0.5f, -0.5f, 0f, 0.5f }));
    }
}
