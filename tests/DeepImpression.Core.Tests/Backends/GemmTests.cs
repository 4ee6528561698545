using DeepImpression.Core.Backends.Cpu;
using DeepImpression.Core.Backends.Cpu.Kernels;
using DeepImpression.Core.Tensors;
using DeepImpression.Core.Tests.Reference;
using static DeepImpression.Core.Tests.Backends.BackendTestKit;

namespace DeepImpression.Core.Tests.Backends;

[TestFixture]
public sealed class GemmTests
{
    private static readonly (int M, int N, int K)[] Sizes =
    [
        (1, 1, 1), (3, 5, 7), (13, 17, 19), (8, 48, 192), (6, 16, 64), (9, 49, 193), (31, 97, 257),
    ];

    private static IEnumerable<TestCaseData> AllCases()
    {
        foreach (var level in Levels())
            foreach (var (m, n, k) in Sizes)
                foreach (var ta in new[] { false, true })
                    foreach (var tb in new[] { false, true })
                        yield return new TestCaseData(level, m, n, k, ta, tb).SetArgDisplayNames($"{level}", $"{m}x{n}x{k}", ta ? "At" : "A", tb ? "Bt" : "B");
    }

    private static float[] Run(CpuBackend cpu, bool ta, bool tb, int m, int n, int k, float alpha, float[] a, float[] b, float beta, float[] c)
    {
        using var ta_ = T(a, ta ? [k, m] : [m, k]);
        using var tb_ = T(b, tb ? [n, k] : [k, n]);
        using var tc = T(c, m, n);
        cpu.Gemm(ta, tb, alpha, ta_, tb_, beta, tc);
        return tc.ToArray();
    }

    [TestCaseSource(nameof(AllCases))]
    public void Overwrites_C_when_beta_is_zero_even_over_NaN(SimdLevel level, int m, int n, int k, bool ta, bool tb)
    {
        var cpu = At(level);
        var a = Uniform(m * k, 1);
        var b = Uniform(k * n, 2);
        var c = Enumerable.Repeat(float.NaN, m * n).ToArray();
        var got = Run(cpu, ta, tb, m, n, k, 1.5f, a, b, 0f, c);
        AssertClose(got, NaiveReference.Gemm(ta, tb, m, n, k, 1.5, a, b, 0, null), 1e-5, "C");
    }

    [TestCaseSource(nameof(AllCases))]
    public void Accumulates_into_C_when_beta_is_one(SimdLevel level, int m, int n, int k, bool ta, bool tb)
    {
        var cpu = At(level);
        var a = Uniform(m * k, 3);
        var b = Uniform(k * n, 4);
        var c = Uniform(m * n, 5);
        var got = Run(cpu, ta, tb, m, n, k, 1f, a, b, 1f, c);
        AssertClose(got, NaiveReference.Gemm(ta, tb, m, n, k, 1, a, b, 1, c), 1e-5, "C");
    }

    [TestCase(false, false), TestCase(true, false), TestCase(false, true), TestCase(true, true)]
    public void Scales_C_by_a_general_beta(bool ta, bool tb)
    {
        const int m = 21, n = 50, k = 11;
        var a = Uniform(m * k, 6);
        var b = Uniform(k * n, 7);
        var c = Uniform(m * n, 8);
        var got = Run(Cpu, ta, tb, m, n, k, -0.75f, a, b, 0.5f, c);
        AssertClose(got, NaiveReference.Gemm(ta, tb, m, n, k, -0.75, a, b, 0.5, c), 1e-5, "C");
    }

    [Test]
    public void With_empty_inner_dimension_C_becomes_beta_C()
    {
        var c = Uniform(12, 9);
        var got = Run(Cpu, false, false, 3, 4, 0, 1f, [], [], 2f, c);
        AssertClose(got, c.Select(v => 2.0 * v).ToArray(), 0, "C");
        var zeroed = Run(Cpu, false, false, 3, 4, 0, 1f, [], [], 0f, Enumerable.Repeat(float.NaN, 12).ToArray());
        Assert.That(zeroed, Is.All.EqualTo(0f));
    }

    /// <summary>Sizes that cross every blocking boundary (kc, mc, nc) and split over the cores by rows or by columns.</summary>
    private static IEnumerable<TestCaseData> LargeCases()
    {
        foreach (var level in Levels())
        {
            yield return new TestCaseData(level, 411, 37, 397, false, false).SetArgDisplayNames($"{level}", "rows split");
            yield return new TestCaseData(level, 19, 3301, 211, false, true).SetArgDisplayNames($"{level}", "columns split, nc blocks");
            yield return new TestCaseData(level, 203, 307, 419, true, true).SetArgDisplayNames($"{level}", "mc and kc blocks");
            yield return new TestCaseData(level, 64, 1000, 600, true, false).SetArgDisplayNames($"{level}", "conv-like");
        }
    }

    [TestCaseSource(nameof(LargeCases))]
    public void Large_products_match_the_reference(SimdLevel level, int m, int n, int k, bool ta, bool tb)
    {
        var cpu = At(level);
        var a = Uniform(m * k, 10);
        var b = Uniform(k * n, 11);
        var c = Uniform(m * n, 12);
        var got = Run(cpu, ta, tb, m, n, k, 0.5f, a, b, 1f, c);
        AssertClose(got, NaiveReference.Gemm(ta, tb, m, n, k, 0.5, a, b, 1, c), 2e-5, "C");
    }

    [Test]
    public void Gives_the_same_result_on_every_call_and_after_other_sizes()
    {
        // Packing buffers are reused between calls; stale contents must never leak into a later product.
        var a = Uniform(40 * 30, 13);
        var b = Uniform(30 * 50, 14);
        var first = Run(Cpu, false, false, 40, 50, 30, 1f, a, b, 0f, new float[2000]);
        Run(Cpu, false, false, 300, 500, 400, 1f, Uniform(300 * 400, 15), Uniform(400 * 500, 16), 0f, new float[150000]);
        var again = Run(Cpu, false, false, 40, 50, 30, 1f, a, b, 0f, new float[2000]);
        Assert.That(again, Is.EqualTo(first));
    }

    private static IEnumerable<TestCaseData> InPlaceCases()
    {
        foreach (var level in Levels())
        {
            yield return new TestCaseData(level, 37, 3301, 211).SetArgDisplayNames($"{level}", "few rows, columns split, edge panel");
            yield return new TestCaseData(level, 200, 1000, 600).SetArgDisplayNames($"{level}", "rows split, two depth blocks");
            yield return new TestCaseData(level, 32, 96, 49).SetArgDisplayNames($"{level}", "whole panels only");
            yield return new TestCaseData(level, 40, 64, 300).SetArgDisplayNames($"{level}", "one-vector edge, two depth blocks");
            yield return new TestCaseData(level, 24, 80, 70).SetArgDisplayNames($"{level}", "two-vector edge");
            yield return new TestCaseData(level, 33, 65, 100).SetArgDisplayNames($"{level}", "17-column edge");
        }
    }

    /// <summary>The same B handed over as a source the GEMM cannot read in place, so that it is always packed.</summary>
    private readonly unsafe struct PackedOnly(StridedSource source) : IPanelSource
    {
        public void Pack(int d0, int depth, int w0, int width, int panel, float* dst, float* row) =>
            source.Pack(d0, depth, w0, width, panel, dst, row);
    }

    [TestCaseSource(nameof(InPlaceCases))]
    public unsafe void Reading_B_in_place_gives_the_bits_of_packing_it(SimdLevel level, int m, int n, int k)
    {
        Assert.That(m, Is.LessThanOrEqualTo(Sgemm.InPlaceRows), "a product the GEMM reads B of in place");
        var gemm = At(level).Context.Gemm;
        var a = Uniform(m * k, 20);
        var b = Uniform(k * n, 21);
        var c = Uniform(m * n, 22);
        var packed = (float[])c.Clone();
        var inPlace = (float[])c.Clone();
        var packedA = new float[Sgemm.PackedSize(level, m, k) + 16];
        fixed (float* pa = a, pb = b, pPacked = packed, pInPlace = inPlace, pA = packedA)
        {
            var matrixA = gemm.Pack(StridedSource.ForA(level, MatrixView.RowMajor(pa, k), 1f), m, k, pA);
            var matrixB = StridedSource.ForB(level, MatrixView.RowMajor(pb, n));
            gemm.MultiplyPacked(matrixA, new PackedOnly(matrixB), n, 1f, pPacked, n);
            gemm.MultiplyPacked(matrixA, matrixB, n, 1f, pInPlace, n);
        }
        Assert.That(inPlace, Is.EqualTo(packed));
        AssertClose(inPlace, NaiveReference.Gemm(false, false, m, n, k, 1, a, b, 1, c), 2e-5, "C");
    }
}
