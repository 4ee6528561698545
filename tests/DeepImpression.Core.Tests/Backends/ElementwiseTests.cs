using DeepImpression.Core.Backends.Cpu;
using DeepImpression.Core.Backends;
using DeepImpression.Core.Backends.Cpu.Kernels;
using static DeepImpression.Core.Tests.Backends.BackendTestKit;

namespace DeepImpression.Core.Tests.Backends;

[TestFixture]
public sealed class ElementwiseTests
{
    /// <summary>Lengths around the 8- and 16-wide vector steps, and long enough to be split over the cores.</summary>
    private static readonly int[] Lengths = [1, 7, 8, 15, 17, 33, 100_003];

    private static IEnumerable<TestCaseData> Cases()
    {
        foreach (var level in Levels())
            foreach (var n in Lengths)
                yield return new TestCaseData(level, n).SetArgDisplayNames($"{level}", $"n={n}");
    }

    [TestCaseSource(nameof(Cases))]
    public void Relu_forward_and_backward(SimdLevel level, int n)
    {
        var cpu = At(level);
        var x = Uniform(n, 1);
        x[0] = 0f;
        var dy = Uniform(n, 2);
        using var tx = T(x, n);
        using var ty = Poisoned(n);
        cpu.ActivationForward(ActivationMode.Relu, tx, ty);
        AssertClose(ty.ToArray(), x.Select(v => v > 0 ? (double)v : 0).ToArray(), 0, "relu");
        using var tdy = T(dy, n);
        using var tdx = Poisoned(n);
        cpu.ActivationBackward(ActivationMode.Relu, ty, tdy, tdx);
        AssertClose(tdx.ToArray(), x.Select((v, i) => v > 0 ? (double)dy[i] : 0).ToArray(), 0, "relu backward");
    }

    [TestCaseSource(nameof(Cases))]
    public void Tanh_forward_and_backward(SimdLevel level, int n)
    {
        var cpu = At(level);
        var x = Uniform(n, 3, -4f, 4f);
        var dy = Uniform(n, 4);
        using var tx = T(x, n);
        using var ty = Poisoned(n);
        cpu.ActivationForward(ActivationMode.Tanh, tx, ty);
        AssertClose(ty.ToArray(), x.Select(v => Math.Tanh(v)).ToArray(), 1e-6, "tanh");
        using var tdy = T(dy, n);
        using var tdx = Poisoned(n);
        cpu.ActivationBackward(ActivationMode.Tanh, ty, tdy, tdx);
        var y = ty.ToArray();
        AssertClose(tdx.ToArray(), y.Select((v, i) => dy[i] * (1 - (double)v * v)).ToArray(), 1e-6, "tanh backward");
    }

    [TestCaseSource(nameof(Cases))]
    public void Add_axpby_and_affine(SimdLevel level, int n)
    {
        var cpu = At(level);
        var a = Uniform(n, 5);
        var b = Uniform(n, 6);
        using var ta = T(a, n);
        using var tb = T(b, n);
        using var sum = Poisoned(n);
        cpu.Add(ta, tb, sum);
        AssertClose(sum.ToArray(), a.Select((v, i) => (double)v + b[i]).ToArray(), 1e-7, "add");

        using var y = T(b, n);
        cpu.Axpby(2.5f, ta, -0.5f, y);
        AssertClose(y.ToArray(), a.Select((v, i) => 2.5 * v - 0.5 * b[i]).ToArray(), 1e-6, "axpby");

        using var fresh = Poisoned(n);
        cpu.Axpby(3f, ta, 0f, fresh);
        AssertClose(fresh.ToArray(), a.Select(v => 3.0 * v).ToArray(), 1e-7, "axpby with beta 0 over NaN");

        using var acc = T(b, n);
        cpu.Axpby(1f, ta, 1f, acc);
        AssertClose(acc.ToArray(), a.Select((v, i) => (double)v + b[i]).ToArray(), 1e-7, "axpby accumulate");

        using var aff = Poisoned(n);
        cpu.Affine(ta, 0.5f, 0.5f, aff);
        AssertClose(aff.ToArray(), a.Select(v => 0.5 * v + 0.5).ToArray(), 1e-7, "affine");
    }

    [TestCase(3, 5, 1, 1)]
    [TestCase(2, 4, 3, 7)]
    [TestCase(4, 32, 1, 3137)]
    public void Bias_add_broadcasts_over_batch_and_space(int n, int c, int h, int w)
    {
        var y = Uniform(n * c * h * w, 7);
        var bias = Uniform(c, 8);
        using var ty = h == 1 && w == 1 ? T(y, n, c) : T(y, n, c, h, w);
        using var tb = T(bias, c);
        Cpu.BiasAdd(ty, tb);
        var expected = y.Select((v, i) => (double)v + bias[i / (h * w) % c]).ToArray();
        AssertClose(ty.ToArray(), expected, 1e-7, "y + bias");
    }

    [Test]
    public void Fill_sets_every_element()
    {
        using var t = Poisoned(3, 37);
        Cpu.Fill(t, -1.25f);
        Assert.That(t.ToArray(), Is.All.EqualTo(-1.25f));
    }
}
