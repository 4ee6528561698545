using DeepImpression.Core.Backends.Cpu;
using DeepImpression.Core.Backends;
using DeepImpression.Core.Backends.Cpu.Kernels;
using DeepImpression.Core.Tests.Reference;
using static DeepImpression.Core.Tests.Backends.BackendTestKit;
using PoolCase = DeepImpression.Core.Tests.Reference.NaiveReference.PoolCase;

namespace DeepImpression.Core.Tests.Backends;

[TestFixture]
public sealed class PoolingTests
{
    private static PoolingGeometry Geometry(PoolCase s) => new(s.KH, s.KW, s.SH, s.SW, s.PH, s.PW, s.CoverAll);

    private static readonly PoolCase[] MaxCases =
    [
        // The network's two max poolings at their real sizes.
        new(N: 1, C: 2, H: 112, W: 112, KH: 3, KW: 3, SH: 2, SW: 2, PH: 1, PW: 1, CoverAll: true),
        new(N: 2, C: 1, H: 1, W: 12544, KH: 1, KW: 9, SH: 1, SW: 4, PH: 0, PW: 4, CoverAll: true),
        // Odd sizes, where cover-all lets the last window hang past the padding.
        new(N: 2, C: 3, H: 8, W: 9, KH: 3, KW: 3, SH: 2, SW: 2, PH: 1, PW: 1, CoverAll: true),
        new(N: 1, C: 2, H: 1, W: 30, KH: 1, KW: 9, SH: 1, SW: 4, PH: 0, PW: 4, CoverAll: true),
        new(N: 1, C: 1, H: 7, W: 6, KH: 2, KW: 3, SH: 2, SW: 2, PH: 0, PW: 1, CoverAll: true),
        new(N: 3, C: 2, H: 7, W: 7, KH: 3, KW: 3, SH: 2, SW: 2, PH: 1, PW: 1, CoverAll: false),
        // Stride 1, and strides whose windows skip input columns at the end.
        new(N: 1, C: 3, H: 20, W: 37, KH: 3, KW: 3, SH: 1, SW: 1, PH: 1, PW: 1, CoverAll: true),
        new(N: 2, C: 1, H: 3, W: 70, KH: 2, KW: 3, SH: 2, SW: 4, PH: 0, PW: 0, CoverAll: false),
        // Cover-all windows that start past the input: they have no cell at all and yield 0.
        new(N: 1, C: 1, H: 1, W: 6, KH: 1, KW: 1, SH: 1, SW: 4, PH: 0, PW: 0, CoverAll: true),
        new(N: 1, C: 2, H: 1, W: 70, KH: 1, KW: 2, SH: 1, SW: 4, PH: 0, PW: 0, CoverAll: true),
    ];

    [Test]
    public void Cover_all_output_sizes_are_the_network_sizes()
    {
        Assert.That(new PoolingGeometry(3, 3, 2, 2, 1, 1, true).OutputShape(112, 112), Is.EqualTo((57, 57)));
        Assert.That(new PoolingGeometry(1, 9, 1, 4, 0, 4, true).OutputShape(1, 12544), Is.EqualTo((1, 3137)));
        Assert.That(MaxCases[0].OH, Is.EqualTo(57));
        Assert.That(MaxCases[1].OW, Is.EqualTo(3137));
    }

    private static IEnumerable<TestCaseData> MaxCasesAtEveryLevel()
    {
        foreach (var level in Levels())
            foreach (var c in MaxCases)
                yield return new TestCaseData(level, c).SetArgDisplayNames($"{level}", c.ToString());
    }

    private static (float[] Y, float[] Dx) Run(CpuBackend cpu, PoolingMode mode, PoolCase s, float[] x, float[] dy)
    {
        using var tx = T(x, s.N, s.C, s.H, s.W);
        using var ty = Poisoned(s.N, s.C, s.OH, s.OW);
        cpu.PoolingForward(mode, Geometry(s), tx, ty);
        using var tdy = T(dy, s.N, s.C, s.OH, s.OW);
        using var tdx = Poisoned(s.N, s.C, s.H, s.W);
        cpu.PoolingBackward(mode, Geometry(s), tx, ty, tdy, tdx);
        return (ty.ToArray(), tdx.ToArray());
    }

    [TestCaseSource(nameof(MaxCasesAtEveryLevel))]
    public void Max_pooling_matches_the_reference_and_padding_never_wins(SimdLevel level, PoolCase s)
    {
        var cpu = At(level);
        // All inputs negative: a padded zero that won a window would show up as an output of 0.
        var x = Uniform(s.N * s.C * s.H * s.W, 1, -5f, -1f);
        var dy = Uniform(s.N * s.C * s.OH * s.OW, 2);
        var (y, dx) = Run(cpu, PoolingMode.Max, s, x, dy);
        var expected = NaiveReference.MaxPoolForward(s, x);
        Assert.That(y.Where((_, i) => expected[i] != 0), Is.All.LessThan(0f));
        AssertClose(y, NaiveReference.MaxPoolForward(s, x), 0, "y");
        AssertClose(dx, NaiveReference.MaxPoolBackward(s, x, dy), 1e-6, "dx");
    }

    [TestCaseSource(nameof(MaxCasesAtEveryLevel))]
    public void Max_pooling_with_many_ties_matches_the_reference(SimdLevel level, PoolCase s)
    {
        var cpu = At(level);
        // Values from {−1, 0, 1}: most windows hold several cells equal to their maximum.
        var x = Uniform(s.N * s.C * s.H * s.W, 5, -1.5f, 1.5f).Select(v => MathF.Round(v)).ToArray();
        var dy = Uniform(s.N * s.C * s.OH * s.OW, 6);
        var (y, dx) = Run(cpu, PoolingMode.Max, s, x, dy);
        AssertClose(y, NaiveReference.MaxPoolForward(s, x), 0, "y");
        AssertClose(dx, NaiveReference.MaxPoolBackward(s, x, dy), 1e-6, "dx");
    }

    [Test]
    public void Max_pooling_ties_send_the_gradient_to_the_first_cell_of_the_window()
    {
        // A constant image: every cell ties. Window (oh, ow) of a 3x3 s2 p1 pooling starts at (2oh−1, 2ow−1),
        // so its first cell inside the image is (max(0, 2oh−1), max(0, 2ow−1)).
        var s = new PoolCase(N: 1, C: 1, H: 5, W: 5, KH: 3, KW: 3, SH: 2, SW: 2, PH: 1, PW: 1, CoverAll: true);
        var x = Enumerable.Repeat(2f, 25).ToArray();
        var dy = Enumerable.Range(1, s.OH * s.OW).Select(v => (float)v).ToArray();
        var (y, dx) = Run(Cpu, PoolingMode.Max, s, x, dy);
        Assert.That(s.OH, Is.EqualTo(3));
        Assert.That(y, Is.All.EqualTo(2f));
        var expected = new float[25];
        for (int oh = 0; oh < 3; oh++)
            for (int ow = 0; ow < 3; ow++)
                expected[Math.Max(0, 2 * oh - 1) * 5 + Math.Max(0, 2 * ow - 1)] += dy[oh * 3 + ow];
        Assert.That(dx, Is.EqualTo(expected));
    }

    [Test]
    public void Max_pooling_ties_inside_a_window_pick_the_earliest_in_row_major_order()
    {
        var s = new PoolCase(N: 1, C: 1, H: 2, W: 2, KH: 2, KW: 2, SH: 2, SW: 2, PH: 0, PW: 0, CoverAll: false);
        var (_, dx) = Run(Cpu, PoolingMode.Max, s, [1f, 3f, 3f, 3f], [1f]);
        Assert.That(dx, Is.EqualTo(new[] { 0f, 1f, 0f, 0f }));
    }

    private static readonly PoolCase[] AverageCases =
    [
        new(N: 2, C: 3, H: 7, W: 7, KH: 3, KW: 3, SH: 2, SW: 2, PH: 1, PW: 1, CoverAll: false),
        new(N: 1, C: 2, H: 1, W: 29, KH: 1, KW: 9, SH: 1, SW: 4, PH: 0, PW: 4, CoverAll: false),
        new(N: 1, C: 2, H: 8, W: 9, KH: 3, KW: 3, SH: 2, SW: 2, PH: 1, PW: 1, CoverAll: true),
        // Global average pooling at the visual and auditory streams' final sizes.
        new(N: 3, C: 4, H: 8, W: 8, KH: 8, KW: 8, SH: 1, SW: 1, PH: 0, PW: 0, CoverAll: false),
        new(N: 2, C: 5, H: 1, W: 50, KH: 1, KW: 50, SH: 1, SW: 1, PH: 0, PW: 0, CoverAll: false),
    ];

    private static IEnumerable<TestCaseData> AverageCasesAtEveryLevel()
    {
        foreach (var level in Levels())
            foreach (var c in AverageCases)
                yield return new TestCaseData(level, c).SetArgDisplayNames($"{level}", c.ToString());
    }

    [TestCaseSource(nameof(AverageCasesAtEveryLevel))]
    public void Average_pooling_counts_padding_and_matches_the_reference(SimdLevel level, PoolCase s)
    {
        var cpu = At(level);
        var x = Uniform(s.N * s.C * s.H * s.W, 3, 0f, 4f);
        var dy = Uniform(s.N * s.C * s.OH * s.OW, 4);
        var (y, dx) = Run(cpu, PoolingMode.AverageCountIncludePadding, s, x, dy);
        AssertClose(y, NaiveReference.AveragePoolForward(s, x), 1e-6, "y");
        AssertClose(dx, NaiveReference.AveragePoolBackward(s, dy), 1e-6, "dx");
    }

    [Test]
    public void Average_pooling_divides_a_corner_window_by_the_full_kernel_size()
    {
        // 3x3 window at the top-left corner with padding 1 covers 4 image cells of value 9: 36 / 9 = 4.
        var s = new PoolCase(N: 1, C: 1, H: 4, W: 4, KH: 3, KW: 3, SH: 2, SW: 2, PH: 1, PW: 1, CoverAll: false);
        var (y, _) = Run(Cpu, PoolingMode.AverageCountIncludePadding, s, Enumerable.Repeat(9f, 16).ToArray(), new float[s.OH * s.OW]);
        Assert.That(y[0], Is.EqualTo(4f));
    }
}
