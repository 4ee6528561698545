using DeepImpression.Core.Backends.Cpu;
using DeepImpression.Core.Backends.Cpu.Convolution;
using DeepImpression.Core.Backends;
using DeepImpression.Core.Backends.Cpu.Kernels;
using DeepImpression.Core.Tensors;
using DeepImpression.Core.Tests.Reference;
using static DeepImpression.Core.Tests.Backends.BackendTestKit;
using ConvCase = DeepImpression.Core.Tests.Reference.NaiveReference.ConvCase;

namespace DeepImpression.Core.Tests.Backends;

[TestFixture]
public sealed class ConvolutionTests
{
    /// <summary>The network's kernel shapes and strides on odd sizes, batch 1 and more, plus cases that need several pieces per image.</summary>
    private static readonly ConvCase[] Cases =
    [
        new(N: 2, C: 3, H: 9, W: 11, K: 4, KH: 3, KW: 3, SH: 1, SW: 1, PH: 1, PW: 1),
        new(N: 1, C: 3, H: 17, W: 15, K: 5, KH: 7, KW: 7, SH: 2, SW: 2, PH: 3, PW: 3),
        new(N: 2, C: 1, H: 1, W: 203, K: 6, KH: 1, KW: 49, SH: 1, SW: 4, PH: 0, PW: 24),
        new(N: 3, C: 5, H: 1, W: 77, K: 3, KH: 1, KW: 9, SH: 1, SW: 1, PH: 0, PW: 4),
        new(N: 2, C: 4, H: 1, W: 61, K: 7, KH: 1, KW: 9, SH: 1, SW: 4, PH: 0, PW: 4),
        new(N: 3, C: 6, H: 5, W: 7, K: 4, KH: 1, KW: 1, SH: 1, SW: 1, PH: 0, PW: 0),
        new(N: 2, C: 4, H: 9, W: 9, K: 8, KH: 1, KW: 1, SH: 2, SW: 2, PH: 0, PW: 0),
        new(N: 2, C: 4, H: 1, W: 37, K: 5, KH: 1, KW: 1, SH: 1, SW: 4, PH: 0, PW: 0),
        new(N: 3, C: 3, H: 13, W: 10, K: 5, KH: 3, KW: 3, SH: 2, SW: 2, PH: 1, PW: 1),
        new(N: 1, C: 2, H: 6, W: 5, K: 3, KH: 2, KW: 4, SH: 3, SW: 1, PH: 0, PW: 2),
        new(N: 2, C: 32, H: 40, W: 45, K: 9, KH: 3, KW: 3, SH: 1, SW: 1, PH: 1, PW: 1),
        new(N: 1, C: 16, H: 1, W: 3001, K: 10, KH: 1, KW: 9, SH: 1, SW: 1, PH: 0, PW: 4),
        new(N: 5, C: 8, H: 1, W: 1000, K: 16, KH: 1, KW: 1, SH: 1, SW: 1, PH: 0, PW: 0),
        new(N: 2, C: 3, H: 9, W: 70, K: 6, KH: 7, KW: 7, SH: 2, SW: 2, PH: 3, PW: 3),
        new(N: 3, C: 2, H: 1, W: 1501, K: 5, KH: 1, KW: 49, SH: 1, SW: 4, PH: 0, PW: 24),
        new(N: 7, C: 5, H: 6, W: 7, K: 6, KH: 3, KW: 3, SH: 1, SW: 1, PH: 1, PW: 1),
        new(N: 9, C: 6, H: 1, W: 50, K: 7, KH: 1, KW: 9, SH: 1, SW: 1, PH: 0, PW: 4),
        // Small maps whose pieces hold several whole images (and an uneven last group).
        new(N: 5, C: 3, H: 6, W: 12, K: 4, KH: 3, KW: 3, SH: 1, SW: 1, PH: 1, PW: 1),
        new(N: 40, C: 2, H: 1, W: 60, K: 3, KH: 1, KW: 9, SH: 1, SW: 1, PH: 0, PW: 4),
        // A small batch taken whole by one product, deep enough for two depth blocks of the phase-grid panels.
        new(N: 2, C: 40, H: 10, W: 10, K: 20, KH: 3, KW: 3, SH: 1, SW: 1, PH: 1, PW: 1),
        // At least 64 filters over few positions: the filter gradient is one GEMM packed from the phase grid.
        new(N: 2, C: 12, H: 9, W: 9, K: 64, KH: 3, KW: 3, SH: 2, SW: 2, PH: 1, PW: 1),
        new(N: 3, C: 16, H: 7, W: 7, K: 72, KH: 1, KW: 1, SH: 2, SW: 2, PH: 0, PW: 0),
        new(N: 2, C: 10, H: 1, W: 40, K: 64, KH: 1, KW: 9, SH: 1, SW: 1, PH: 0, PW: 4),
        // Wide enough for several output tiles per image and two depth blocks on every path.
        new(N: 1, C: 30, H: 12, W: 90, K: 136, KH: 3, KW: 3, SH: 1, SW: 1, PH: 1, PW: 1),
    ];

    private static IEnumerable<TestCaseData> CasesAtEveryLevel()
    {
        foreach (var level in Levels())
            foreach (var c in Cases)
                yield return new TestCaseData(level, c).SetArgDisplayNames($"{level}", c.ToString());
    }

    private static ConvolutionGeometry Geometry(ConvCase s) => new(s.SH, s.SW, s.PH, s.PW);

    private static float[] Forward(CpuBackend cpu, ConvCase s, float[] x, float[] w, float[]? b, Tensor? reserve = null)
    {
        using var tx = T(x, s.N, s.C, s.H, s.W);
        using var tw = T(w, s.K, s.C, s.KH, s.KW);
        using var tb = b is null ? null : T(b, s.K);
        using var ty = Poisoned(s.N, s.K, s.OH, s.OW);
        cpu.ConvolutionForward(tx, tw, tb, ty, Geometry(s), reserve);
        return ty.ToArray();
    }

    private static float[] BackwardData(CpuBackend cpu, ConvCase s, float[] w, float[] dy)
    {
        using var tw = T(w, s.K, s.C, s.KH, s.KW);
        using var tdy = T(dy, s.N, s.K, s.OH, s.OW);
        using var tdx = Poisoned(s.N, s.C, s.H, s.W);
        cpu.ConvolutionBackwardData(tw, tdy, tdx, Geometry(s));
        return tdx.ToArray();
    }

    private static float[] BackwardFilter(CpuBackend cpu, ConvCase s, float[] x, float[] dy, Tensor? reserve = null)
    {
        using var tx = T(x, s.N, s.C, s.H, s.W);
        using var tdy = T(dy, s.N, s.K, s.OH, s.OW);
        using var tdw = Poisoned(s.K, s.C, s.KH, s.KW);
        cpu.ConvolutionBackwardFilter(tx, tdy, tdw, Geometry(s), reserve);
        return tdw.ToArray();
    }

    /// <summary>The planned algorithm's bound: direct sums within 1e-5 element-wise; Winograd within 1e-5 norm-wise
    /// (and 1e-4 element-wise), see <see cref="ConvolutionAlgorithmTests"/>.</summary>
    private static void AssertPlannedClose(bool winograd, float[] actual, double[] expected, string what)
    {
        if (!winograd)
        {
            AssertClose(actual, expected, 1e-5, what);
            return;
        }
        AssertNormClose(actual, expected, 1e-5, what);
        AssertClose(actual, expected, 1e-4, what);
    }

    private static ConvolutionPlan PlanOf(CpuBackend cpu, ConvCase s) =>
        cpu.ConvolutionPlan(new Shape(s.N, s.C, s.H, s.W), new Shape(s.K, s.C, s.KH, s.KW), Geometry(s));

    [TestCaseSource(nameof(CasesAtEveryLevel))]
    public void Forward_matches_the_reference(SimdLevel level, ConvCase s)
    {
        var cpu = At(level);
        var x = Uniform(s.InputCount, 1);
        var w = Uniform(s.FilterCount, 2);
        var b = Uniform(s.K, 3);
        bool winograd = PlanOf(cpu, s).Forward == ForwardAlgorithm.Winograd;
        AssertPlannedClose(winograd, Forward(cpu, s, x, w, b), NaiveReference.ConvForward(s, x, w, b), "y with bias");
        AssertPlannedClose(winograd, Forward(cpu, s, x, w, null), NaiveReference.ConvForward(s, x, w, null), "y without bias");
    }

    [TestCaseSource(nameof(CasesAtEveryLevel))]
    public void Backward_data_matches_the_reference(SimdLevel level, ConvCase s)
    {
        var cpu = At(level);
        var w = Uniform(s.FilterCount, 4);
        var dy = Uniform(s.OutputCount, 5);
        bool winograd = PlanOf(cpu, s).DataGradient == DataGradientAlgorithm.Winograd;
        AssertPlannedClose(winograd, BackwardData(cpu, s, w, dy), NaiveReference.ConvBackwardData(s, w, dy), "dx");
    }

    [TestCaseSource(nameof(CasesAtEveryLevel))]
    public void Backward_filter_matches_the_reference(SimdLevel level, ConvCase s)
    {
        var cpu = At(level);
        var x = Uniform(s.InputCount, 6);
        var dy = Uniform(s.OutputCount, 7);
        AssertClose(BackwardFilter(cpu, s, x, dy), NaiveReference.ConvBackwardFilter(s, x, dy), 1e-5, "dw");
    }

    /// <summary>The cases whose forward keeps its phase grid for the filter gradient at the level (the others need none).</summary>
    private static IEnumerable<TestCaseData> CasesWithAReserve()
    {
        foreach (var level in Levels())
            foreach (var c in Cases)
            {
                var cpu = At(level);
                if (cpu.ConvolutionReserveSize(new Shape(c.N, c.C, c.H, c.W), new Shape(c.K, c.C, c.KH, c.KW), Geometry(c)) > 0)
                    yield return new TestCaseData(level, c).SetArgDisplayNames($"{level}", c.ToString());
            }
    }

    [Test]
    public void Some_cases_keep_a_reserve() => Assert.That(CasesWithAReserve().Count(), Is.GreaterThan(5));

    [TestCaseSource(nameof(CasesWithAReserve))]
    public void A_forward_with_a_reserve_gives_the_same_output_and_a_filter_gradient_of_the_same_bits(SimdLevel level, ConvCase s)
    {
        var cpu = At(level);
        var (x, w, dy) = (Uniform(s.InputCount, 9), Uniform(s.FilterCount, 10), Uniform(s.OutputCount, 11));
        long size = cpu.ConvolutionReserveSize(new Shape(s.N, s.C, s.H, s.W), new Shape(s.K, s.C, s.KH, s.KW), Geometry(s));
        using var reserve = Poisoned((int)size);
        Assert.That(Forward(cpu, s, x, w, null, reserve), Is.EqualTo(Forward(cpu, s, x, w, null)), "y");
        Assert.That(BackwardFilter(cpu, s, x, dy, reserve), Is.EqualTo(BackwardFilter(cpu, s, x, dy)), "dw from the reserve, bit for bit as rebuilt");
    }

    [Test]
    public void The_network_layers_that_build_a_phase_grid_both_ways_keep_it_in_a_reserve()
    {
        // The visual stream's first layer (7x7 stride 2, batch 8) builds its grid forward and reads it for the filter
        // gradient; a 1x1 stride-2 shortcut has no grid to keep, nor has a Winograd layer.
        var cpu = At(SimdLevel.Avx512);
        if (cpu.Isa != SimdLevel.Avx512) Assert.Ignore("the in-place forward that builds the grid needs AVX-512");
        Assert.That(cpu.ConvolutionReserveSize(new Shape(8, 3, 224, 224), new Shape(32, 3, 7, 7), new ConvolutionGeometry(2, 2, 3, 3)),
            Is.GreaterThan(8L * 3 * 224 * 224));
        Assert.That(cpu.ConvolutionReserveSize(new Shape(8, 32, 57, 57), new Shape(64, 32, 1, 1), new ConvolutionGeometry(2, 2, 0, 0)),
            Is.Zero);
        Assert.That(cpu.ConvolutionReserveSize(new Shape(8, 32, 57, 57), new Shape(32, 32, 3, 3), new ConvolutionGeometry(1, 1, 1, 1)),
            Is.Zero);
    }

    [Test]
    public void A_reserve_of_the_wrong_size_is_refused_with_the_size_needed()
    {
        var s = Cases[10];
        using var tx = T(Uniform(s.InputCount, 12), s.N, s.C, s.H, s.W);
        using var tw = T(Uniform(s.FilterCount, 13), s.K, s.C, s.KH, s.KW);
        using var y = Empty(s.N, s.K, s.OH, s.OW);
        using var reserve = Empty(7);
        var e = Assert.Throws<ArgumentException>(() => Cpu.ConvolutionForward(tx, tw, null, y, Geometry(s), reserve));
        Assert.That(e!.Message, Does.Contain("7 floats").And.Contain("ConvolutionReserveSize"));
    }

    [TestCaseSource(nameof(Cases))]
    public void Backward_bias_sums_over_batch_and_space(ConvCase s)
    {
        var dy = Uniform(s.OutputCount, 8);
        using var tdy = T(dy, s.N, s.K, s.OH, s.OW);
        using var db = Poisoned(s.K);
        Cpu.ConvolutionBackwardBias(tdy, db);
        AssertClose(db.ToArray(), NaiveReference.BiasGradient(dy, s.N, s.K, s.OH * s.OW), 1e-5, "db");
    }

    [Test]
    public void Backward_bias_of_a_matrix_sums_its_rows()
    {
        var dy = Uniform(7 * 5, 9);
        using var tdy = T(dy, 7, 5);
        using var db = Poisoned(5);
        Cpu.ConvolutionBackwardBias(tdy, db);
        AssertClose(db.ToArray(), NaiveReference.BiasGradient(dy, 7, 5, 1), 1e-6, "db");
    }

    [Test]
    public void Results_do_not_depend_on_what_ran_before()
    {
        // Scratch (packed filters, grids, partial gradients) is reused call after call and grows with the largest
        // shape seen: a small convolution after a large one must give exactly what it gave before.
        var small = Cases[0];
        var large = Cases[10];
        var x = Uniform(small.InputCount, 20);
        var w = Uniform(small.FilterCount, 21);
        var dy = Uniform(small.OutputCount, 22);
        var y1 = Forward(Cpu, small, x, w, null);
        var dx1 = BackwardData(Cpu, small, w, dy);
        var dw1 = BackwardFilter(Cpu, small, x, dy);
        Forward(Cpu, large, Uniform(large.InputCount, 23), Uniform(large.FilterCount, 24), Uniform(large.K, 25));
        BackwardData(Cpu, large, Uniform(large.FilterCount, 26), Uniform(large.OutputCount, 27));
        BackwardFilter(Cpu, large, Uniform(large.InputCount, 28), Uniform(large.OutputCount, 29));
        Assert.That(Forward(Cpu, small, x, w, null), Is.EqualTo(y1));
        Assert.That(BackwardData(Cpu, small, w, dy), Is.EqualTo(dx1));
        Assert.That(BackwardFilter(Cpu, small, x, dy), Is.EqualTo(dw1));
    }

    [Test]
    public void Trimming_the_cache_releases_kernel_scratch_and_later_calls_still_work()
    {
        var s = Cases[10];
        var x = Uniform(s.InputCount, 40);
        var w = Uniform(s.FilterCount, 41);
        var y = Forward(Cpu, s, x, w, null);
        Assert.That(Cpu.ScratchBytes, Is.GreaterThan(0));
        Cpu.TrimCache();
        Assert.That(Cpu.ScratchBytes, Is.Zero);
        Assert.That(Forward(Cpu, s, x, w, null), Is.EqualTo(y));
    }

    private static readonly ConvCase[] SplitCases =
    [
        Cases[10],
        new(N: 8, C: 32, H: 1, W: 785, K: 64, KH: 1, KW: 9, SH: 1, SW: 4, PH: 0, PW: 4),
        new(N: 8, C: 3, H: 56, W: 56, K: 32, KH: 7, KW: 7, SH: 2, SW: 2, PH: 3, PW: 3),
    ];

    [TestCaseSource(nameof(SplitCases))]
    public void Gradients_are_identical_run_after_run(ConvCase s)
    {
        // Many pieces spread dynamically over the cores: the sums must not depend on which core took which,
        // or a resumed training run would not repeat an uninterrupted one.
        var x = Uniform(s.InputCount, 30);
        var w = Uniform(s.FilterCount, 31);
        var dy = Uniform(s.OutputCount, 32);
        var dw = BackwardFilter(Cpu, s, x, dy);
        var dx = BackwardData(Cpu, s, w, dy);
        for (int run = 0; run < 4; run++)
        {
            Assert.That(BackwardFilter(Cpu, s, x, dy), Is.EqualTo(dw), $"filter gradient, run {run}");
            Assert.That(BackwardData(Cpu, s, w, dy), Is.EqualTo(dx), $"data gradient, run {run}");
        }
    }

    private static readonly ConvCase[] SmallCases =
    [
        new(N: 2, C: 2, H: 5, W: 6, K: 3, KH: 3, KW: 3, SH: 2, SW: 2, PH: 1, PW: 1),
        new(N: 1, C: 2, H: 1, W: 23, K: 2, KH: 1, KW: 9, SH: 1, SW: 4, PH: 0, PW: 4),
        new(N: 2, C: 1, H: 1, W: 60, K: 2, KH: 1, KW: 49, SH: 1, SW: 4, PH: 0, PW: 24),
        new(N: 1, C: 3, H: 4, W: 4, K: 2, KH: 1, KW: 1, SH: 1, SW: 1, PH: 0, PW: 0),
    ];

    /// <summary>
    /// L = Σ r ⊙ conv(x, w) is linear in x and in w, so a central difference with a large step is exact up to
    /// rounding: dL/dx = backward-data(r) and dL/dw = backward-filter(x, r) must match it.
    /// </summary>
    [TestCaseSource(nameof(SmallCases))]
    public void Gradients_match_finite_differences_of_the_forward(ConvCase s)
    {
        var x = Uniform(s.InputCount, 10);
        var w = Uniform(s.FilterCount, 11);
        var r = Uniform(s.OutputCount, 12);
        double Loss(float[] xs, float[] ws) => Forward(Cpu, s, xs, ws, null).Select((v, i) => (double)v * r[i]).Sum();
        const float step = 0.5f;

        var dx = BackwardData(Cpu, s, w, r);
        var fdx = new double[x.Length];
        for (int i = 0; i < x.Length; i++)
        {
            var plus = (float[])x.Clone(); plus[i] += step;
            var minus = (float[])x.Clone(); minus[i] -= step;
            fdx[i] = (Loss(plus, w) - Loss(minus, w)) / (2 * step);
        }
        AssertClose(dx, fdx, 1e-4, "dx vs finite differences");

        var dw = BackwardFilter(Cpu, s, x, r);
        var fdw = new double[w.Length];
        for (int i = 0; i < w.Length; i++)
        {
            var plus = (float[])w.Clone(); plus[i] += step;
            var minus = (float[])w.Clone(); minus[i] -= step;
            fdw[i] = (Loss(x, plus) - Loss(x, minus)) / (2 * step);
        }
        AssertClose(dw, fdw, 1e-4, "dw vs finite differences");
    }
}
