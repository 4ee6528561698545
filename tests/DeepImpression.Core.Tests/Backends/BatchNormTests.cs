using DeepImpression.Core.Backends.Cpu;
using DeepImpression.Core.Backends;
using DeepImpression.Core.Backends.Cpu.Kernels;
using DeepImpression.Core.Tests.Reference;
using static DeepImpression.Core.Tests.Backends.BackendTestKit;

namespace DeepImpression.Core.Tests.Backends;

[TestFixture]
public sealed class BatchNormTests
{
    private const double Eps = 2e-5;

    private static readonly (int N, int C, int H, int W, float Offset)[] Shapes =
    [
        (2, 3, 4, 5, 0f), (1, 4, 1, 33, 0f), (4, 2, 3, 3, 0f), (3, 5, 1, 1, 0f), (2, 3, 7, 9, 1000f), (8, 4, 1, 3137, 0.5f),
    ];

    private static IEnumerable<TestCaseData> Cases()
    {
        foreach (var level in Levels())
            foreach (var s in Shapes)
                yield return new TestCaseData(level, s.N, s.C, s.H, s.W, s.Offset)
                    .SetArgDisplayNames($"{level}", $"({s.N},{s.C},{s.H},{s.W})", $"offset {s.Offset}");
    }

    [TestCaseSource(nameof(Cases))]
    public void Training_normalizes_saves_statistics_and_updates_running_averages_over_several_steps(SimdLevel level, int n, int c, int h, int w, float offset)
    {
        var cpu = At(level);
        int count = n * c * h * w, inner = h * w;
        var gamma = Uniform(c, 1, 0.5f, 1.5f);
        var beta = Uniform(c, 2);
        var runningMean = new double[c];
        var runningVar = Enumerable.Repeat(1.0, c).ToArray();
        using var tGamma = T(gamma, c);
        using var tBeta = T(beta, c);
        using var tMean = T(new float[c], c);
        using var tVar = T(Enumerable.Repeat(1f, c).ToArray(), c);
        using var saveMean = Poisoned(c);
        using var saveInvStd = Poisoned(c);
        for (int step = 0; step < 3; step++)
        {
            var x = Uniform(count, 10 + step, -2f, 3f).Select(v => v * (1 + step) + offset).ToArray();
            using var tx = T(x, n, c, h, w);
            using var ty = Poisoned(n, c, h, w);
            cpu.BatchNormForwardTraining(tx, tGamma, tBeta, ty, 0.1, tMean, tVar, Eps, saveMean, saveInvStd);
            var expected = NaiveReference.BatchNormTraining(x, n, c, inner, gamma, beta, Eps, 0.1, runningMean, runningVar);
            // The normalized output's error scales with |x|/σ: an offset of 1000 costs float precision in x itself.
            double rtol = offset >= 100 ? 2e-4 : 2e-5;
            AssertClose(ty.ToArray(), expected.Y, rtol, $"y step {step}");
            AssertClose(saveMean.ToArray(), expected.Mean, 1e-6, $"saved mean step {step}");
            AssertClose(saveInvStd.ToArray(), expected.InvStd, rtol, $"saved 1/std step {step}");
            AssertClose(tMean.ToArray(), expected.RunningMean, 1e-6, $"running mean step {step}");
            AssertClose(tVar.ToArray(), expected.RunningVariance, rtol, $"running variance step {step}");
            runningMean = expected.RunningMean;
            runningVar = expected.RunningVariance;
        }
    }

    [TestCaseSource(nameof(Cases))]
    public void Inference_uses_the_given_statistics(SimdLevel level, int n, int c, int h, int w, float offset)
    {
        var cpu = At(level);
        var x = Uniform(n * c * h * w, 20).Select(v => v + offset).ToArray();
        var gamma = Uniform(c, 21);
        var beta = Uniform(c, 22);
        var mean = Uniform(c, 23).Select(v => v + offset).ToArray();
        var variance = Uniform(c, 24, 0.1f, 4f);
        using var tx = T(x, n, c, h, w);
        using var ty = Poisoned(n, c, h, w);
        using var tGamma = T(gamma, c);
        using var tBeta = T(beta, c);
        using var tMean = T(mean, c);
        using var tVar = T(variance, c);
        cpu.BatchNormForwardInference(tx, tGamma, tBeta, tMean, tVar, Eps, ty);
        AssertClose(ty.ToArray(), NaiveReference.BatchNormInference(x, n, c, h * w, gamma, beta, mean, variance, Eps),
            offset >= 100 ? 1e-4 : 1e-5, "y");
    }

    private static (float[] Dx, float[] DGamma, float[] DBeta) Backward(CpuBackend cpu, float[] x, float[] dy, float[] gamma, int n, int c, int h, int w)
    {
        using var tx = T(x, n, c, h, w);
        using var tdy = T(dy, n, c, h, w);
        using var tGamma = T(gamma, c);
        using var tBeta = T(new float[c], c);
        using var rm = T(new float[c], c);
        using var rv = T(new float[c], c);
        using var saveMean = Empty(c);
        using var saveInvStd = Empty(c);
        using var ty = Empty(n, c, h, w);
        cpu.BatchNormForwardTraining(tx, tGamma, tBeta, ty, 0.1, rm, rv, Eps, saveMean, saveInvStd);
        using var dx = Poisoned(n, c, h, w);
        using var dGamma = Poisoned(c);
        using var dBeta = Poisoned(c);
        cpu.BatchNormBackward(tx, tdy, tGamma, Eps, saveMean, saveInvStd, dx, dGamma, dBeta);
        return (dx.ToArray(), dGamma.ToArray(), dBeta.ToArray());
    }

    [TestCaseSource(nameof(Cases))]
    public void Backward_matches_the_reference(SimdLevel level, int n, int c, int h, int w, float offset)
    {
        var cpu = At(level);
        var x = Uniform(n * c * h * w, 30).Select(v => v * 2 + offset).ToArray();
        var dy = Uniform(x.Length, 31);
        var gamma = Uniform(c, 32, 0.5f, 1.5f);
        var (dx, dGamma, dBeta) = Backward(cpu, x, dy, gamma, n, c, h, w);
        var expected = NaiveReference.BatchNormBackward(x, dy, n, c, h * w, gamma, Eps);
        double rtol = offset >= 100 ? 1e-3 : 1e-4;
        AssertClose(dx, expected.Dx, rtol, "dx");
        AssertClose(dGamma, expected.DGamma, rtol, "dgamma");
        AssertClose(dBeta, expected.DBeta, 1e-5, "dbeta");
    }

    [Test]
    public void Backward_matches_finite_differences_of_the_training_forward()
    {
        const int n = 2, c = 2, h = 2, w = 3;
        var x = Uniform(n * c * h * w, 40, -2f, 2f);
        var r = Uniform(x.Length, 41);
        var gamma = new[] { 0.7f, 1.3f };
        var beta = new[] { 0.2f, -0.4f };
        double Loss(float[] xs, float[] g, float[] b)
        {
            using var tx = T(xs, n, c, h, w);
            using var ty = Empty(n, c, h, w);
            using var tg = T(g, c);
            using var tb = T(b, c);
            using var rm = T(new float[c], c);
            using var rv = T(new float[c], c);
            using var sm = Empty(c);
            using var si = Empty(c);
            Cpu.BatchNormForwardTraining(tx, tg, tb, ty, 0.1, rm, rv, Eps, sm, si);
            return ty.ToArray().Select((v, i) => (double)v * r[i]).Sum();
        }
        var (dx, dGamma, dBeta) = Backward(Cpu, x, r, gamma, n, c, h, w);
        const float step = 1e-2f;
        var fdx = new double[x.Length];
        for (int i = 0; i < x.Length; i++)
        {
            var p = (float[])x.Clone(); p[i] += step;
            var m = (float[])x.Clone(); m[i] -= step;
            fdx[i] = (Loss(p, gamma, beta) - Loss(m, gamma, beta)) / (2 * step);
        }
        AssertClose(dx, fdx, 5e-3, "dx vs finite differences");
        for (int k = 0; k < c; k++)
        {
            var gp = (float[])gamma.Clone(); gp[k] += step;
            var gm = (float[])gamma.Clone(); gm[k] -= step;
            Assert.That(dGamma[k], Is.EqualTo((Loss(x, gp, beta) - Loss(x, gm, beta)) / (2 * step)).Within(1e-3 * (1 + Math.Abs(dGamma[k]))), $"dgamma[{k}]");
            var bp = (float[])beta.Clone(); bp[k] += step;
            var bm = (float[])beta.Clone(); bm[k] -= step;
            Assert.That(dBeta[k], Is.EqualTo((Loss(x, gamma, bp) - Loss(x, gamma, bm)) / (2 * step)).Within(1e-3 * (1 + Math.Abs(dBeta[k]))), $"dbeta[{k}]");
        }
    }

    private static IEnumerable<TestCaseData> FusedCases()
    {
        foreach (var level in Levels())
            foreach (var s in Shapes)
                foreach (bool residual in new[] { false, true })
                    yield return new TestCaseData(level, s.N, s.C, s.H, s.W, s.Offset, residual)
                        .SetArgDisplayNames($"{level}", $"({s.N},{s.C},{s.H},{s.W})", $"offset {s.Offset}", residual ? "add + relu" : "relu");
    }

    [TestCaseSource(nameof(FusedCases))]
    public void Fused_relu_gives_the_bits_of_batch_norm_then_add_then_relu_forward_and_backward(SimdLevel level, int n, int c, int h, int w, float offset, bool residual)
    {
        var cpu = At(level);
        var x = Uniform(n * c * h * w, 50).Select(v => v * 2 + offset).ToArray();
        var dy = Uniform(x.Length, 51);
        // A NaN in the input must come out of the ReLU as it does unfused (see ReluNanTests).
        if (x.Length > 7) x[7] = float.NaN;
        var gamma = Uniform(c, 52, 0.5f, 1.5f);
        var beta = Uniform(c, 53);
        using var tx = T(x, n, c, h, w);
        using var tdy = T(dy, n, c, h, w);
        using var tGamma = T(gamma, c);
        using var tBeta = T(beta, c);
        using var tz = residual ? T(Uniform(x.Length, 54, -2f, 2f), n, c, h, w) : null;

        float[][] Run(bool fused)
        {
            using var rm = T(new float[c], c);
            using var rv = T(Enumerable.Repeat(1f, c).ToArray(), c);
            using var saveMean = Poisoned(c);
            using var saveInvStd = Poisoned(c);
            using var y = Poisoned(n, c, h, w);
            using var dx = Poisoned(n, c, h, w);
            using var dGamma = Poisoned(c);
            using var dBeta = Poisoned(c);
            using var dz = residual ? Poisoned(n, c, h, w) : null;
            if (fused)
            {
                cpu.BatchNormReluForwardTraining(tx, tz, tGamma, tBeta, y, 0.1, rm, rv, Eps, saveMean, saveInvStd);
                cpu.BatchNormReluBackward(tx, y, tdy, tGamma, Eps, saveMean, saveInvStd, dx, dz, dGamma, dBeta);
            }
            else
            {
                using var normalized = Poisoned(n, c, h, w);
                using var gated = dz is null ? Poisoned(n, c, h, w) : null;
                cpu.BatchNormForwardTraining(tx, tGamma, tBeta, normalized, 0.1, rm, rv, Eps, saveMean, saveInvStd);
                if (tz is not null) cpu.Add(normalized, tz, normalized);
                cpu.ActivationForward(ActivationMode.Relu, normalized, y);
                cpu.ActivationBackward(ActivationMode.Relu, y, tdy, dz ?? gated!);
                cpu.BatchNormBackward(tx, dz ?? gated!, tGamma, Eps, saveMean, saveInvStd, dx, dGamma, dBeta);
            }
            return [y.ToArray(), saveMean.ToArray(), saveInvStd.ToArray(), rm.ToArray(), rv.ToArray(), dx.ToArray(), dGamma.ToArray(), dBeta.ToArray(),
                dz?.ToArray() ?? []];
        }

        var fused = Run(fused: true);
        var separate = Run(fused: false);
        string[] names = ["y", "saved mean", "saved 1/std", "running mean", "running variance", "dx", "dgamma", "dbeta", "dz"];
        for (int i = 0; i < names.Length; i++)
            Assert.That(fused[i].Select(BitConverter.SingleToInt32Bits), Is.EqualTo(separate[i].Select(BitConverter.SingleToInt32Bits)), names[i]);
        Assert.That(fused[0].Where(v => !float.IsNaN(v)), Has.All.GreaterThanOrEqualTo(0f), "y is a ReLU output");
        Assert.That(fused[0].Count(v => v == 0f), Is.GreaterThan(0), "some outputs are clipped, so the gate is exercised");
    }
}
