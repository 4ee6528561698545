using DeepImpression.Core.Backends.Cpu.Kernels;
using static DeepImpression.Core.Tests.Backends.BackendTestKit;

namespace DeepImpression.Core.Tests.Backends;

[TestFixture]
public sealed class OptimizerUpdateTests
{
    [Test]
    public void Adam_takes_the_steps_computed_by_hand()
    {
        // lr 0.125, beta1 0.5, beta2 0.75 (exact in binary), eps 1e-8, m = v = 0, g = (0.5, −1, 0):
        // m = 0.5·g = (0.25, −0.5, 0); v = 0.25·g² = (0.0625, 0.25, 0); √v = (0.25, 0.5, 0);
        // step = 0.125·m/(√v + eps) = (0.125, −0.125, 0) up to eps; p = (0.875, −1.875, 3).
        using var p = T([1f, -2f, 3f], 3);
        using var g = T([0.5f, -1f, 0f], 3);
        using var m = T(new float[3], 3);
        using var v = T(new float[3], 3);
        Cpu.AdamUpdate(p, g, m, v, 0.125f, 0.5f, 0.75f, 1e-8f);
        Assert.That(m.ToArray(), Is.EqualTo(new[] { 0.25f, -0.5f, 0f }));
        Assert.That(v.ToArray(), Is.EqualTo(new[] { 0.0625f, 0.25f, 0f }));
        Assert.That(p.ToArray(), Is.EqualTo(new[] { 0.875f, -1.875f, 3f }).Within(1e-6));

        // g = (0.5, 1, 2): m += 0.5(g − m) = (0.375, 0.25, 1); v += 0.25(g² − v) = (0.109375, 0.4375, 1);
        // step = 0.125·m/√v = (0.1417366774, 0.0472455591, 0.125); p = (0.7332633226, −1.9222455591, 2.875).
        using var g2 = T([0.5f, 1f, 2f], 3);
        Cpu.AdamUpdate(p, g2, m, v, 0.125f, 0.5f, 0.75f, 1e-8f);
        Assert.That(m.ToArray(), Is.EqualTo(new[] { 0.375f, 0.25f, 1f }));
        Assert.That(v.ToArray(), Is.EqualTo(new[] { 0.109375f, 0.4375f, 1f }));
        Assert.That(p.ToArray(), Is.EqualTo(new[] { 0.7332633226f, -1.9222455591f, 2.875f }).Within(1e-6));
    }

    [Test]
    public void Momentum_sgd_takes_the_steps_computed_by_hand()
    {
        // lr 0.1, momentum 0.9: v1 = −0.1·g; p1 = p + v1. v2 = 0.9·v1 − 0.1·g2; p2 = p1 + v2.
        using var p = T([1f, -1f], 2);
        using var vel = T(new float[2], 2);
        using var g = T([2f, -4f], 2);
        Cpu.SgdMomentumUpdate(p, g, vel, 0.1f, 0.9f);
        Assert.That(vel.ToArray(), Is.EqualTo(new[] { -0.2f, 0.4f }).Within(1e-7));
        Assert.That(p.ToArray(), Is.EqualTo(new[] { 0.8f, -0.6f }).Within(1e-7));
        using var g2 = T([1f, 1f], 2);
        Cpu.SgdMomentumUpdate(p, g2, vel, 0.1f, 0.9f);
        // v2 = (−0.18 − 0.1, 0.36 − 0.1) = (−0.28, 0.26); p2 = (0.52, −0.34).
        Assert.That(vel.ToArray(), Is.EqualTo(new[] { -0.28f, 0.26f }).Within(1e-7));
        Assert.That(p.ToArray(), Is.EqualTo(new[] { 0.52f, -0.34f }).Within(1e-6));
    }

    [TestCase(17)]
    [TestCase(100_001)]
    public void Long_parameters_update_like_the_scalar_formula_on_every_path(int n)
    {
        foreach (var level in Levels())
        {
            var cpu = At(level);
            var p0 = Uniform(n, 1);
            var g = Uniform(n, 2);
            var m0 = Uniform(n, 3, -0.1f, 0.1f);
            var v0 = Uniform(n, 4, 0f, 0.01f);
            using var p = T(p0, n);
            using var tg = T(g, n);
            using var m = T(m0, n);
            using var v = T(v0, n);
            cpu.AdamUpdate(p, tg, m, v, 2e-4f, 0.5f, 0.999f, 1e-8f);
            var em = m0.Select((x, i) => x + 0.5 * (g[i] - x)).ToArray();
            var ev = v0.Select((x, i) => x + 0.001 * ((double)g[i] * g[i] - x)).ToArray();
            var ep = p0.Select((x, i) => x - 2e-4 * em[i] / (Math.Sqrt(ev[i]) + 1e-8)).ToArray();
            AssertClose(m.ToArray(), em, 1e-6, $"{level} m");
            AssertClose(v.ToArray(), ev, 1e-5, $"{level} v");
            AssertClose(p.ToArray(), ep, 1e-6, $"{level} param");

            var vel0 = Uniform(n, 5);
            using var vel = T(vel0, n);
            using var q = T(p0, n);
            cpu.SgdMomentumUpdate(q, tg, vel, 0.01f, 0.9f);
            var evel = vel0.Select((x, i) => 0.9 * x - 0.01 * g[i]).ToArray();
            AssertClose(vel.ToArray(), evel, 1e-6, $"{level} velocity");
            AssertClose(q.ToArray(), p0.Select((x, i) => x + evel[i]).ToArray(), 1e-6, $"{level} sgd param");
        }
    }
}
