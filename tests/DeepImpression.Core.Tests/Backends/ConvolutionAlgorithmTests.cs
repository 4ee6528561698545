using System.Runtime.Intrinsics;
using DeepImpression.Core.Backends;
using DeepImpression.Core.Backends.Cpu;
using DeepImpression.Core.Backends.Cpu.Convolution;
using DeepImpression.Core.Backends.Cpu.Kernels;
using DeepImpression.Core.Tensors;
using DeepImpression.Core.Tests.Reference;
using static DeepImpression.Core.Tests.Backends.BackendTestKit;
using ConvCase = DeepImpression.Core.Tests.Reference.NaiveReference.ConvCase;

namespace DeepImpression.Core.Tests.Backends;

/// <summary>
/// Every convolution algorithm of the CPU backend, named directly whatever the planner would choose, on every shape it
/// accepts, at every SIMD level, against the plain-loop reference algorithm (itself checked against the test project's
/// float64 definitions). Direct algorithms sum the same products: element-wise within 1e-5 of the magnitude.
/// Winograd's transforms round differently: within 1e-5 norm-wise, and 1e-4 element-wise, of the reference.
/// </summary>
[TestFixture]
public sealed class ConvolutionAlgorithmTests
{
    private static readonly ConvCase[] Cases =
    [
        // 3x3 stride 1: tiles cut at every edge, padding 0, 1 and 2, maps narrower than one tile, several slabs and blocks.
        new(N: 2, C: 16, H: 9, W: 11, K: 17, KH: 3, KW: 3, SH: 1, SW: 1, PH: 1, PW: 1),
        new(N: 3, C: 20, H: 8, W: 8, K: 24, KH: 3, KW: 3, SH: 1, SW: 1, PH: 1, PW: 1),
        new(N: 1, C: 18, H: 13, W: 7, K: 16, KH: 3, KW: 3, SH: 1, SW: 1, PH: 0, PW: 0),
        new(N: 2, C: 16, H: 6, W: 10, K: 19, KH: 3, KW: 3, SH: 1, SW: 1, PH: 2, PW: 1),
        new(N: 5, C: 16, H: 3, W: 3, K: 16, KH: 3, KW: 3, SH: 1, SW: 1, PH: 1, PW: 1),
        new(N: 2, C: 40, H: 10, W: 70, K: 33, KH: 3, KW: 3, SH: 1, SW: 1, PH: 1, PW: 1),
        new(N: 1, C: 30, H: 12, W: 90, K: 136, KH: 3, KW: 3, SH: 1, SW: 1, PH: 1, PW: 1),
        new(N: 9, C: 300, H: 4, W: 5, K: 20, KH: 3, KW: 3, SH: 1, SW: 1, PH: 1, PW: 1),
        new(N: 2, C: 3, H: 9, W: 11, K: 4, KH: 3, KW: 3, SH: 1, SW: 1, PH: 1, PW: 1),
        // 1x9 stride 1 over rows of one: signals shorter than a tile, ending mid-tile, longer than a slab; pads 0 to 8.
        new(N: 3, C: 16, H: 1, W: 77, K: 16, KH: 1, KW: 9, SH: 1, SW: 1, PH: 0, PW: 4),
        new(N: 2, C: 17, H: 1, W: 10, K: 20, KH: 1, KW: 9, SH: 1, SW: 1, PH: 0, PW: 4),
        new(N: 1, C: 16, H: 1, W: 1301, K: 24, KH: 1, KW: 9, SH: 1, SW: 1, PH: 0, PW: 4),
        new(N: 4, C: 16, H: 1, W: 40, K: 16, KH: 1, KW: 9, SH: 1, SW: 1, PH: 0, PW: 0),
        new(N: 2, C: 16, H: 1, W: 31, K: 18, KH: 1, KW: 9, SH: 1, SW: 1, PH: 0, PW: 8),
        new(N: 40, C: 20, H: 1, W: 60, K: 16, KH: 1, KW: 9, SH: 1, SW: 1, PH: 0, PW: 4),
        // The network's other geometries, and shapes the direct algorithms treat each their own way.
        new(N: 1, C: 3, H: 17, W: 15, K: 5, KH: 7, KW: 7, SH: 2, SW: 2, PH: 3, PW: 3),
        new(N: 2, C: 1, H: 1, W: 203, K: 6, KH: 1, KW: 49, SH: 1, SW: 4, PH: 0, PW: 24),
        new(N: 2, C: 4, H: 1, W: 61, K: 7, KH: 1, KW: 9, SH: 1, SW: 4, PH: 0, PW: 4),
        new(N: 3, C: 6, H: 5, W: 7, K: 4, KH: 1, KW: 1, SH: 1, SW: 1, PH: 0, PW: 0),
        new(N: 2, C: 4, H: 9, W: 9, K: 8, KH: 1, KW: 1, SH: 2, SW: 2, PH: 0, PW: 0),
        new(N: 3, C: 3, H: 13, W: 10, K: 5, KH: 3, KW: 3, SH: 2, SW: 2, PH: 1, PW: 1),
        new(N: 1, C: 2, H: 6, W: 5, K: 3, KH: 2, KW: 4, SH: 3, SW: 1, PH: 0, PW: 2),
        new(N: 2, C: 12, H: 9, W: 9, K: 64, KH: 3, KW: 3, SH: 2, SW: 2, PH: 1, PW: 1),
        new(N: 2, C: 32, H: 40, W: 45, K: 9, KH: 3, KW: 3, SH: 1, SW: 1, PH: 1, PW: 1),
    ];

    private static IEnumerable<TestCaseData> CasesAtEveryLevel()
    {
        foreach (var level in Levels())
            foreach (var c in Cases)
                yield return new TestCaseData(level, c).SetArgDisplayNames($"{level}", c.ToString());
    }

    private static ConvolutionGeometry Geometry(ConvCase s) => new(s.SH, s.SW, s.PH, s.PW);
    private static Shape X(ConvCase s) => new(s.N, s.C, s.H, s.W);
    private static Shape W(ConvCase s) => new(s.K, s.C, s.KH, s.KW);
    private static Shape Y(ConvCase s) => new(s.N, s.K, s.OH, s.OW);

    private static bool IsWinograd(Enum algorithm) => algorithm.ToString() == "Winograd";

    /// <summary>Checks <paramref name="actual"/> (from <paramref name="algorithm"/>) against the reference algorithm's result.</summary>
    private static void AssertMatches(Enum algorithm, float[] actual, float[] reference, string what)
    {
        var expected = reference.Select(v => (double)v).ToArray();
        if (IsWinograd(algorithm))
        {
            AssertNormClose(actual, expected, 1e-5, $"{what} by {algorithm}");
            AssertClose(actual, expected, 1e-4, $"{what} by {algorithm}");
        }
        else AssertClose(actual, expected, 1e-5, $"{what} by {algorithm}");
    }

    [TestCaseSource(nameof(CasesAtEveryLevel))]
    public void Every_forward_algorithm_matches_the_reference(SimdLevel level, ConvCase s)
    {
        var cpu = At(level);
        using var x = T(Uniform(s.InputCount, 1), s.N, s.C, s.H, s.W);
        using var w = T(Uniform(s.FilterCount, 2), s.K, s.C, s.KH, s.KW);
        using var b = T(Uniform(s.K, 3), s.K);
        float[] Run(ForwardAlgorithm algorithm)
        {
            using var y = Poisoned(s.N, s.K, s.OH, s.OW);
            cpu.ConvolutionForward(algorithm, x, w, b, y, Geometry(s));
            return y.ToArray();
        }
        var reference = Run(ForwardAlgorithm.Reference);
        AssertClose(reference, NaiveReference.ConvForward(s, x.ToArray(), w.ToArray(), b.ToArray()), 1e-6, "the reference algorithm");
        int ran = 0;
        Assert.Multiple(() =>
        {
            foreach (var algorithm in Enum.GetValues<ForwardAlgorithm>().Where(a => a != ForwardAlgorithm.Reference))
                if (cpu.Accepts(algorithm, X(s), W(s), Geometry(s)))
                {
                    AssertMatches(algorithm, Run(algorithm), reference, "y");
                    ran++;
                }
        });
        Assert.That(ran, Is.GreaterThanOrEqualTo(2), "direct algorithms that take any shape");
    }

    [TestCaseSource(nameof(CasesAtEveryLevel))]
    public void Every_data_gradient_algorithm_matches_the_reference(SimdLevel level, ConvCase s)
    {
        var cpu = At(level);
        using var w = T(Uniform(s.FilterCount, 4), s.K, s.C, s.KH, s.KW);
        using var dy = T(Uniform(s.OutputCount, 5), s.N, s.K, s.OH, s.OW);
        float[] Run(DataGradientAlgorithm algorithm)
        {
            using var dx = Poisoned(s.N, s.C, s.H, s.W);
            cpu.ConvolutionBackwardData(algorithm, w, dy, dx, Geometry(s));
            return dx.ToArray();
        }
        var reference = Run(DataGradientAlgorithm.Reference);
        AssertClose(reference, NaiveReference.ConvBackwardData(s, w.ToArray(), dy.ToArray()), 1e-6, "the reference algorithm");
        Assert.Multiple(() =>
        {
            foreach (var algorithm in Enum.GetValues<DataGradientAlgorithm>().Where(a => a != DataGradientAlgorithm.Reference))
                if (cpu.Accepts(algorithm, X(s), W(s), Geometry(s)))
                    AssertMatches(algorithm, Run(algorithm), reference, "dx");
        });
    }

    [TestCaseSource(nameof(CasesAtEveryLevel))]
    public void Every_filter_gradient_algorithm_matches_the_reference(SimdLevel level, ConvCase s)
    {
        var cpu = At(level);
        using var x = T(Uniform(s.InputCount, 6), s.N, s.C, s.H, s.W);
        using var dy = T(Uniform(s.OutputCount, 7), s.N, s.K, s.OH, s.OW);
        float[] Run(FilterGradientAlgorithm algorithm)
        {
            using var dw = Poisoned(s.K, s.C, s.KH, s.KW);
            cpu.ConvolutionBackwardFilter(algorithm, x, dy, dw, Geometry(s));
            return dw.ToArray();
        }
        var reference = Run(FilterGradientAlgorithm.Reference);
        AssertClose(reference, NaiveReference.ConvBackwardFilter(s, x.ToArray(), dy.ToArray()), 1e-6, "the reference algorithm");
        Assert.Multiple(() =>
        {
            foreach (var algorithm in Enum.GetValues<FilterGradientAlgorithm>().Where(a => a != FilterGradientAlgorithm.Reference))
                if (cpu.Accepts(algorithm, X(s), W(s), Geometry(s)))
                    AssertMatches(algorithm, Run(algorithm), reference, "dw");
        });
    }

    [Test]
    public void Winograd_runs_on_the_shapes_it_is_meant_for_and_only_there()
    {
        if (CpuIsa.Detected != SimdLevel.Avx512) Assert.Ignore("Winograd's vector kernels need AVX-512");
        var cpu = At(SimdLevel.Avx512);
        bool Takes(ConvCase s) => cpu.Accepts(ForwardAlgorithm.Winograd, X(s), W(s), Geometry(s));
        Assert.That(Cases.Count(Takes), Is.EqualTo(16), "3x3 and 1x9 stride-1 cases");
        Assert.That(Cases.Where(s => s.SH != 1 || s.SW != 1 || s.KH * s.KW is not (9)).Any(Takes), Is.False);
        Assert.That(At(SimdLevel.Avx2).Accepts(ForwardAlgorithm.Winograd, X(Cases[0]), W(Cases[0]), Geometry(Cases[0])), Is.False, "AVX2");
    }

    [Test]
    public void The_reference_can_be_forced_for_a_whole_backend()
    {
        using var backend = new CpuBackend(new CpuBackendOptions { Convolution = ConvolutionOverride.Reference });
        var s = Cases[5];
        var plan = backend.ConvolutionPlan(X(s), W(s), Geometry(s));
        Assert.That((plan.Forward, plan.DataGradient, plan.FilterGradient),
            Is.EqualTo((ForwardAlgorithm.Reference, DataGradientAlgorithm.Reference, FilterGradientAlgorithm.Reference)));
        Assert.That(plan.ReserveFloats, Is.Zero);
        using var x = T(Uniform(s.InputCount, 8), s.N, s.C, s.H, s.W);
        using var w = T(Uniform(s.FilterCount, 9), s.K, s.C, s.KH, s.KW);
        using var y = Poisoned(s.N, s.K, s.OH, s.OW);
        backend.ConvolutionForward(x, w, null, y, Geometry(s));
        AssertClose(y.ToArray(), NaiveReference.ConvForward(s, x.ToArray(), w.ToArray(), null), 1e-6, "y");
    }

    [TestCase("reference", ConvolutionOverride.Reference)]
    [TestCase(" Direct", ConvolutionOverride.Direct)]
    [TestCase("auto", ConvolutionOverride.None)]
    [TestCase(null, ConvolutionOverride.None)]
    [TestCase("fastest-please", ConvolutionOverride.None)]
    public void The_environment_switch_reads_reference_direct_or_auto(string? text, ConvolutionOverride expected) =>
        Assert.That(CpuBackendOptions.ParseConvolution(text), Is.EqualTo(expected));

    [Test]
    public void Direct_keeps_every_algorithm_but_Winograd_s()
    {
        // A 3x3 stride-1 layer with channels and tiles enough for all three of Winograd's directions (res4 of the
        // visual stream at batch 32).
        var shape = new ConvShape(128, 15, 15, 128, 3, 3, 15, 15, 1, 1, 1, 1);
        var planned = ConvolutionPlanner.Plan(shape, 32, SimdLevel.Avx512, ConvolutionOverride.None);
        var direct = ConvolutionPlanner.Plan(shape, 32, SimdLevel.Avx512, ConvolutionOverride.Direct);
        Assert.That((planned.Forward, planned.DataGradient, planned.FilterGradient),
            Is.EqualTo((ForwardAlgorithm.Winograd, DataGradientAlgorithm.Winograd, FilterGradientAlgorithm.Winograd)));
        Assert.That(direct.Forward, Is.Not.EqualTo(ForwardAlgorithm.Winograd));
        Assert.That(direct.DataGradient, Is.Not.EqualTo(DataGradientAlgorithm.Winograd));
        Assert.That(direct.FilterGradient, Is.Not.EqualTo(FilterGradientAlgorithm.Winograd));
    }

    [Test]
    public void The_Winograd_kernels_spell_out_the_Toom_Cook_matrices()
    {
        if (CpuIsa.Detected != SimdLevel.Avx512) Assert.Ignore("the kernels need AVX-512");
        CheckTransform<F43>(WinogradMatrices.F43);
        CheckTransform<F33>(WinogradMatrices.F33);
    }

    /// <summary>Each lane of the vector transforms must equal the matrix products Bᵀ d and Aᵀ m of the construction.</summary>
    private static unsafe void CheckTransform<TTransform>(WinogradMatrices matrices) where TTransform : IWinogradTransform
    {
        int alpha = matrices.Alpha, m = matrices.M;
        Assert.That((TTransform.Alpha, TTransform.M), Is.EqualTo((alpha, m)));
        var random = new Random(3);
        var input = stackalloc Vector512<float>[alpha];
        var output = stackalloc Vector512<float>[alpha];
        var values = new float[alpha * 16];
        for (int i = 0; i < values.Length; i++) values[i] = (float)(random.NextDouble() * 2 - 1);
        fixed (float* v = values)
            for (int i = 0; i < alpha; i++) input[i] = Vector512.Load(v + 16 * i);
        TTransform.Data(input, output);
        for (int lane = 0; lane < 16; lane++)
            for (int r = 0; r < alpha; r++)
            {
                double expected = 0;
                for (int u = 0; u < alpha; u++) expected += matrices.BT[r, u] * values[16 * u + lane];
                Assert.That(output[r].GetElement(lane), Is.EqualTo(expected).Within(1e-5 * (1 + Math.Abs(expected))), $"Bᵀd[{r}] lane {lane}");
            }
        TTransform.Gradient(input, output);
        for (int lane = 0; lane < 16; lane++)
            for (int r = 0; r < alpha; r++)
            {
                double expected = 0;
                for (int u = 0; u < m; u++) expected += matrices.AT[u, r] * values[16 * u + lane];
                Assert.That(output[r].GetElement(lane), Is.EqualTo(expected).Within(1e-5 * (1 + Math.Abs(expected))), $"A g[{r}] lane {lane}");
            }
        TTransform.Output(input, output);
        for (int lane = 0; lane < 16; lane++)
            for (int r = 0; r < m; r++)
            {
                double expected = 0;
                for (int u = 0; u < alpha; u++) expected += matrices.AT[r, u] * values[16 * u + lane];
                Assert.That(output[r].GetElement(lane), Is.EqualTo(expected).Within(1e-5 * (1 + Math.Abs(expected))), $"Aᵀm[{r}] lane {lane}");
            }
    }

    [Test]
    public void The_Toom_Cook_construction_computes_the_correlation_exactly_in_double()
    {
        // F(m, r): y_i = Σ_j d_{i+j} g_j for i < m, from α products.
        var random = new Random(4);
        foreach (var f in new[] { WinogradMatrices.F43, WinogradMatrices.F33 })
        {
            var d = Enumerable.Range(0, f.Alpha).Select(_ => random.NextDouble() - 0.5).ToArray();
            var g = Enumerable.Range(0, f.R).Select(_ => random.NextDouble() - 0.5).ToArray();
            var product = new double[f.Alpha];
            for (int l = 0; l < f.Alpha; l++)
            {
                double gl = 0, dl = 0;
                for (int k = 0; k < f.R; k++) gl += f.G[l, k] * g[k];
                for (int u = 0; u < f.Alpha; u++) dl += f.BT[l, u] * d[u];
                product[l] = gl * dl;
            }
            for (int i = 0; i < f.M; i++)
            {
                double y = 0, direct = 0;
                for (int l = 0; l < f.Alpha; l++) y += f.AT[i, l] * product[l];
                for (int j = 0; j < f.R; j++) direct += d[i + j] * g[j];
                Assert.That(y, Is.EqualTo(direct).Within(1e-12), $"F({f.M}, {f.R}) output {i}");
            }
        }
    }
}
