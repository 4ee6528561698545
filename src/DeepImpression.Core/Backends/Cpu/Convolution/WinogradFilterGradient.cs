using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using DeepImpression.Core.Backends.Cpu.Kernels;
using static DeepImpression.Core.Backends.Cpu.Convolution.WinogradTiling;

namespace DeepImpression.Core.Backends.Cpu.Convolution;

/// <summary>
/// <see cref="FilterGradientAlgorithm.Winograd"/>: the filter gradient of a 3x3 (or nested 1x9) stride-1 convolution by
/// the same transforms as <see cref="WinogradConvolution"/>, roles turned: per tile, ∂L/∂g = Gᵀ[(A dy A ᵀ) ⊙ (Bᵀ x B)]G,
/// so dW = Gᵀ[Σ_tiles (A dy Aᵀ) ⊙ (Bᵀ x B)]G: one GEMM per transformed position ξ, S_ξ (K x C) = Σ_t D_ξ[k, t]·V_ξ[c, t]
/// over every tile of the batch, 36 multiplications per tile and filter element instead of 144, then one transform of
/// the 36 sums per (k, c) back to the nine taps.
/// <para>
/// The tiles are taken in blocks of a size fixed by the shapes alone, in order, each block's products added to the
/// sums: the order of the sums, and so the bits, does not depend on the cores.
/// </para>
/// </summary>
[SkipLocalsInit]
internal static unsafe class WinogradFilterGradient
{
    /// <summary>Floats of transformed input and output gradient per block (16 MiB): blocks long enough that each GEMM's
    /// reduction over the tiles is deep.</summary>
    private const long BlockFloats = 4L << 20;

    private static readonly PerWorkerScratch Transformed = new();
    private static readonly PerWorkerScratch Gradients = new();
    private static readonly PerWorkerScratch Sums = new();

    public static void BackwardFilter(CpuContext context, in ConvShape s, int n, float* x, float* dy, float* dw, int worker)
    {
        var scheme = SchemeOf(s) ?? throw new ArgumentException($"Winograd does not run {s}.");
        var layout = new Layout(scheme, s, n);
        int alpha = layout.Alpha;
        int tiles = (int)Math.Max(Tile, BlockFloats / ((long)alpha * (s.C + s.K)));
        int slabsPerBlock = Math.Max(1, tiles / layout.PerSlab);
        int blocks = (layout.Slabs + slabsPerBlock - 1) / slabsPerBlock;
        float* sums = context.Scratch(Sums, worker).Get((long)alpha * s.K * s.C);
        for (int block = 0; block < blocks; block++)
        {
            var b = Block.Of(context, layout, slabsPerBlock, block, worker);
            float* v = context.Scratch(Transformed, worker).Get((long)alpha * s.C * b.RowStride);
            float* d = context.Scratch(Gradients, worker).Get((long)alpha * s.K * b.RowStride);
            context.Workers.For(s.C + s.K, new TransformJob(context, layout, s, b, x, dy, v, d));
            context.Workers.For(alpha, new SumJob(context, s, b, v, d, sums, block > 0));
        }
        context.Workers.For(s.K, new FinishJob(scheme, s, sums, dw));
    }

    /// <summary>Index c &lt; C: input channel c into V; else output-gradient channel k = index − C into D.</summary>
    private sealed class TransformJob(CpuContext context, Layout layout, ConvShape s, Block b, float* x, float* dy, float* v, float* d)
        : IParallelBody
    {
        public void Execute(int index, int worker)
        {
            float* staging = b.Staging(context, worker);
            if (index < s.C) b.TransformInput(layout, s, x, index, staging, v);
            else TransformGradient(index - s.C, staging);
            // The dot products run over whole vectors of tiles: zeros past the last.
            bool input = index < s.C;
            int rows = input ? s.C : s.K, row = input ? index : index - s.C;
            float* first = (input ? v : d) + (long)row * b.RowStride + b.Tiles;
            int tail = RoundUp(b.Tiles, 16) - b.Tiles;
            for (int xi = 0; xi < layout.Alpha; xi++) new Span<float>(first + (long)xi * rows * b.RowStride, tail).Clear();
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void TransformGradient(int k, float* staging)
        {
            for (int j = 0; j < b.SlabCount; j++)
            {
                int slab = b.FirstSlab + j, image = slab / layout.PerImage, index = slab % layout.PerImage;
                int start = b.SlabStarts[j], count = b.SlabStarts[j + 1] - start;
                float* plane = dy + ((long)image * s.K + k) * s.OutputPlane;
                if (layout.Scheme == Scheme.Image)
                    WinogradTiles.StageGradientImage(plane, s.OH, s.OW, 4 * index, 4 * count, staging + 4 * start, b.StagingStride);
                else
                    WinogradTiles.StageGradientSignal(plane, s.OW, 4 * index * layout.PerSlab, 4 * count, staging + 4 * start, b.StagingStride);
            }
            nint stride = (nint)s.K * b.RowStride;
            for (int g = 0; g < b.GroupCount; g++)
                WinogradTiles.TransformGradientGroup(staging + 64 * g, b.StagingStride, layout.Alpha1, d + (long)k * b.RowStride + 16 * g, stride);
        }
    }

    /// <summary>S_ξ[k, c] (+)= Σ_t D_ξ[k, t]·V_ξ[c, t]: dot products along the tiles, where both operands already
    /// lie (<see cref="DotKernels"/>: no packing, horizontal sums once per block); one ξ per parallel index.</summary>
    private sealed class SumJob(CpuContext context, ConvShape s, Block b, float* v, float* d, float* sums, bool accumulate) : IParallelBody
    {
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Execute(int xi, int worker)
        {
            var level = context.Isa;
            var (tileRows, tileColumns) = DotKernels.Tile(level);
            var rows = stackalloc int[tileColumns];
            for (int j = 0; j < tileColumns; j++) rows[j] = j * b.RowStride;
            int length = RoundUp(b.Tiles, 16);
            float* dx = d + (long)xi * s.K * b.RowStride, vx = v + (long)xi * s.C * b.RowStride, sx = sums + (long)xi * s.K * s.C;
            for (int k0 = 0; k0 < s.K; k0 += tileRows)
                for (int c0 = 0; c0 < s.C; c0 += tileColumns)
                    DotKernels.Tile4x6OrLess(level, Math.Min(tileRows, s.K - k0), Math.Min(tileColumns, s.C - c0), length,
                        dx + (long)k0 * b.RowStride, b.RowStride, vx + (long)c0 * b.RowStride, rows, sx + (long)k0 * s.C + c0, s.C, accumulate);
        }
    }

    /// <summary>dW[k, c] = G₁ᵀ S[k, c] G₂, 16 input channels at a time in vector lanes.</summary>
    private sealed class FinishJob(Scheme scheme, ConvShape s, float* sums, float* dw) : IParallelBody
    {
        /// <summary>G₁ (α1 x 3) and G₂ (6 x 3), row after row.</summary>
        private readonly float[] _first = Flatten(scheme == Scheme.Image ? WinogradMatrices.F43.G : WinogradMatrices.F33.G),
            _second = Flatten(WinogradMatrices.F43.G);

        private static float[] Flatten(double[,] g) => Enumerable.Range(0, g.GetLength(0) * 3).Select(i => (float)g[i / 3, i % 3]).ToArray();

        public void Execute(int k, int worker)
        {
            fixed (float* g1 = _first, g2 = _second) Finish(k, g1, g2);
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Finish(int k, float* g1, float* g2)
        {
            int alpha1 = _first.Length / 3, alpha2 = 6, channels = s.C;
            var half = stackalloc Vector512<float>[6 * 3];
            var taps = stackalloc float[9 * 16];
            var partial = stackalloc float[16];
            for (int c0 = 0; c0 < channels; c0 += 16)
            {
                int count = Math.Min(16, channels - c0);
                for (int x1 = 0; x1 < alpha1; x1++)
                {
                    Vector512<float> h0 = default, h1 = default, h2 = default;
                    for (int x2 = 0; x2 < alpha2; x2++)
                    {
                        float* row = sums + ((long)(x1 * alpha2 + x2) * s.K + k) * channels + c0;
                        Vector512<float> value;
                        if (count == 16) value = Vector512.Load(row);
                        else
                        {
                            for (int l = 0; l < 16; l++) partial[l] = l < count ? row[l] : 0f;
                            value = Vector512.Load(partial);
                        }
                        h0 = Vector512.FusedMultiplyAdd(Vector512.Create(g2[x2 * 3]), value, h0);
                        h1 = Vector512.FusedMultiplyAdd(Vector512.Create(g2[x2 * 3 + 1]), value, h1);
                        h2 = Vector512.FusedMultiplyAdd(Vector512.Create(g2[x2 * 3 + 2]), value, h2);
                    }
                    (half[x1 * 3], half[x1 * 3 + 1], half[x1 * 3 + 2]) = (h0, h1, h2);
                }
                for (int a = 0; a < 3; a++)
                    for (int b = 0; b < 3; b++)
                    {
                        Vector512<float> tap = default;
                        for (int x1 = 0; x1 < alpha1; x1++) tap = Vector512.FusedMultiplyAdd(Vector512.Create(g1[x1 * 3 + a]), half[x1 * 3 + b], tap);
                        // The tap's place in w (K, C, kh, kw): a runs along the first dimension (rows, or j1 of j = j1 + 3 j2).
                        tap.Store(taps + (scheme == Scheme.Image ? a * 3 + b : a + 3 * b) * 16);
                    }
                float* target = dw + ((long)k * channels + c0) * 9;
                for (int l = 0; l < count; l++)
                    for (int t = 0; t < 9; t++) target[l * 9 + t] = taps[t * 16 + l];
            }
        }
    }
}
