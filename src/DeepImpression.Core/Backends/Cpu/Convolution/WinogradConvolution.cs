using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using DeepImpression.Core.Backends.Cpu.Kernels;
using static DeepImpression.Core.Backends.Cpu.Convolution.WinogradTiling;

namespace DeepImpression.Core.Backends.Cpu.Convolution;

/// <summary>
/// <see cref="ForwardAlgorithm.Winograd"/> and <see cref="DataGradientAlgorithm.Winograd"/>: Winograd's minimal
/// filtering (Lavin and Gray, 2016). A 3x3 stride-1 convolution is computed 4x4 outputs at a time as
/// Y = Aᵀ[Σ_c (G g G ᵀ) ⊙ (Bᵀ d B)]A: the sum over channels is one GEMM per transformed position ξ (36 of them),
/// U_ξ (K x C) · V_ξ (C x tiles), with 36 multiplications per tile and channel pair instead of 144. A 1x9 stride-1
/// convolution over a row is nested: with j = j1 + 3 j2 and outputs i1 + 3 i2, it is the 2-D correlation of the
/// view D[u][v] = x[u + 3v] with the 3x3 filter g[j1 + 3 j2], computed by F(3, 3) x F(4, 3): twelve outputs for 30
/// multiplications instead of 108.
/// <para>
/// Tiles are cut into slabs (an image's row of tiles, or a run of at most 47 tiles of a signal) and slabs into
/// blocks whose transformed data stays in the caches: a block is staged (first dimension), transformed (second
/// dimension), multiplied and transformed back before the next. Each output comes from its own tile only, and the
/// sum over channels runs in the GEMM's fixed depth blocks, so neither the blocking nor the cores change a bit.
/// </para>
/// </summary>
[SkipLocalsInit]
internal static unsafe class WinogradConvolution
{
    /// <summary>Floats of transformed data and products a block should keep (about 1 MiB, the L2 cache).</summary>
    private const int BlockFloats = 256 * 1024;

    private static readonly PerWorkerScratch Transformed = new();
    private static readonly PerWorkerScratch Products = new();
    private static readonly PerWorkerScratch Filter = new();


    /// <summary>AVX-512, stride 1, and a 3x3 kernel padded by at most 2, or a 1x9 kernel over rows of one padded by at most 8.</summary>
    public static bool Accepts(in ConvShape s, SimdLevel isa) =>
        isa == SimdLevel.Avx512 && s.StrideH == 1 && s.StrideW == 1 && s.OH > 0 && s.OW > 0 && SchemeOf(s) is not null;

    /// <summary>Tiles of the batch: 4x4 outputs of each image, or twelve of each signal.</summary>
    public static long Tiles(in ConvShape s, int n) =>
        SchemeOf(s) == Scheme.Signal ? (long)n * ((s.OW + 11) / 12) : (long)n * ((s.OH + 3) / 4) * ((s.OW + 3) / 4);

    /// <summary>Whether it beats the direct algorithms: with few channels the transforms cost more than the
    /// multiplications they save.</summary>
    public static bool Pays(in ConvShape s) => Math.Min(s.C, s.K) >= 16;

    /// <summary>
    /// y = epilogue(x ⋆ w). With <paramref name="transposed"/>, the convolution is the input gradient's: x is dy, y is
    /// dx, and the filter read is w (K, C, kh, kw) turned 180° with its channel axes swapped (<see cref="ConvShape.Transposed"/>
    /// of the shape given here is the forward's).
    /// </summary>
    public static void Forward(CpuContext context, in ConvShape s, int n, float* w, bool transposed, float* x, ConvolutionEpilogue epilogue,
        float* y, int worker)
    {
        var scheme = SchemeOf(s) ?? throw new ArgumentException($"Winograd does not run {s}.");
        var layout = new Layout(scheme, s, n);
        var filter = TransformFilter(context, scheme, s, w, transposed, worker);
        int workers = context.Workers.Count;
        var plan = BlockPlan.For(layout, s, workers);
        var call = new Call(context, s, layout, filter, x, epilogue, y, plan);
        if (plan.Whole) context.Workers.For(plan.Blocks, new WholeBlocks(call));
        else
            for (int block = 0; block < plan.Blocks; block++) call.RunInPhases(block, worker);
    }

    // ---- The filter ------------------------------------------------------------------------------------------

    /// <summary>U_ξ = (G g Gᵀ)_ξ of every (output, input) channel pair, packed as one GEMM left operand per ξ.</summary>
    private static PackedA[] TransformFilter(CpuContext context, Scheme scheme, in ConvShape s, float* w, bool transposed, int worker)
    {
        var (first, second) = Matrices(scheme);
        int alpha = first.Alpha * second.Alpha, outputs = s.K, inputs = s.C;
        float* u = context.Scratch(Filter, worker).Get((long)alpha * outputs * inputs + alpha * Sgemm.PackedSize(context.Isa, outputs, inputs));
        float* packed = u + (long)alpha * outputs * inputs;
        context.Workers.For(outputs, new FilterJob(scheme, s, w, transposed, u, first, second));
        var result = new PackedA[alpha];
        long size = Sgemm.PackedSize(context.Isa, outputs, inputs);
        for (int xi = 0; xi < alpha; xi++)
            result[xi] = context.Gemm.Pack(StridedSource.ForA(context.Isa, MatrixView.RowMajor(u + (long)xi * outputs * inputs, inputs), 1f),
                outputs, inputs, packed + xi * size);
        return result;
    }

    private static (WinogradMatrices First, WinogradMatrices Second) Matrices(Scheme scheme) =>
        scheme == Scheme.Image ? (WinogradMatrices.F43, WinogradMatrices.F43) : (WinogradMatrices.F33, WinogradMatrices.F43);

    /// <summary>One output channel's U_ξ for every input channel, 16 input channels at a time in vector lanes. G's
    /// entries (1/4, 1/6, 1/12, 1/24) round once to float; each U value is two three-term FMA chains from the taps.</summary>
    private sealed class FilterJob(Scheme scheme, ConvShape s, float* w, bool transposed, float* u, WinogradMatrices first,
        WinogradMatrices second) : IParallelBody
    {
        private readonly float[] _first = Flatten(first.G), _second = Flatten(second.G);

        private static float[] Flatten(double[,] g) => Enumerable.Range(0, g.GetLength(0) * 3).Select(i => (float)g[i / 3, i % 3]).ToArray();

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Execute(int o, int worker)
        {
            fixed (float* g1 = _first, g2 = _second) Transform(o, g1, g2);
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Transform(int o, float* g1, float* g2)
        {
            int alpha1 = first.Alpha, alpha2 = second.Alpha, inputs = s.C, outputs = s.K;
            var g = stackalloc Vector512<float>[9];
            var half = stackalloc Vector512<float>[6 * 3];
            // Lane l reads pair (o, i0 + l): its nine taps are 9 floats apart in w (K, C, 3, 3), or, for the transposed
            // convolution's filter (C, K) = w turned 180°, the taps of w's pair (i0 + l, o), K·9 floats apart, backwards.
            var lanes = Vector512<int>.Indices * Vector512.Create(transposed ? outputs * 9 : 9);
            var tail = stackalloc float[16];
            for (int i0 = 0; i0 < inputs; i0 += 16)
            {
                int count = Math.Min(16, inputs - i0);
                var valid = Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(count));
                var index = Vector512.ConditionalSelect(valid, lanes, Vector512<int>.Zero);
                float* pairs = transposed ? w + ((long)i0 * outputs + o) * 9 : w + ((long)o * inputs + i0) * 9;
                for (int a = 0; a < 3; a++)
                    for (int b = 0; b < 3; b++)
                    {
                        // g[a][b]: a runs along the first dimension (rows, or j1 of j = j1 + 3 j2).
                        int tap = scheme == Scheme.Image ? a * 3 + b : a + 3 * b;
                        float* from = pairs + (transposed ? 8 - tap : tap);
                        g[a * 3 + b] = Vector512.Create(Avx2.GatherVector256(from, index.GetLower(), 4), Avx2.GatherVector256(from, index.GetUpper(), 4));
                    }
                for (int x1 = 0; x1 < alpha1; x1++)
                    for (int b = 0; b < 3; b++)
                        half[x1 * 3 + b] = Vector512.FusedMultiplyAdd(Vector512.Create(g1[x1 * 3]), g[b],
                            Vector512.FusedMultiplyAdd(Vector512.Create(g1[x1 * 3 + 1]), g[3 + b], Vector512.Create(g1[x1 * 3 + 2]) * g[6 + b]));
                for (int x1 = 0; x1 < alpha1; x1++)
                    for (int x2 = 0; x2 < alpha2; x2++)
                    {
                        var value = Vector512.FusedMultiplyAdd(Vector512.Create(g2[x2 * 3]), half[x1 * 3],
                            Vector512.FusedMultiplyAdd(Vector512.Create(g2[x2 * 3 + 1]), half[x1 * 3 + 1], Vector512.Create(g2[x2 * 3 + 2]) * half[x1 * 3 + 2]));
                        float* target = u + ((long)(x1 * alpha2 + x2) * outputs + o) * inputs + i0;
                        if (count == 16) value.Store(target);
                        else
                        {
                            value.Store(tail);
                            for (int l = 0; l < count; l++) target[l] = tail[l];
                        }
                    }
            }
        }
    }

    // ---- Tiles, slabs and blocks ---------------------------------------------------------------------------------

    /// <summary>How the slabs are cut into blocks, and whether a block runs whole on one core (many blocks) or in three
    /// parallel phases (too few blocks to share out).</summary>
    private readonly record struct BlockPlan(int SlabsPerBlock, int Blocks, bool Whole)
    {
        public static BlockPlan For(in Layout layout, in ConvShape s, int workers)
        {
            int perSlab = layout.PerSlab;
            int channels = s.C + s.K, alpha = layout.Scheme == Scheme.Image ? 36 : 30;
            // As many tiles as keep the block's transformed data and products near the L2 cache, at least one GEMM
            // tile; with many channels, as many as make the transformed filter (read once per block, and larger than
            // the caches then) cost no more to stream than the block's own data.
            long budget = Math.Max(BlockFloats, (long)alpha * s.C * s.K);
            int target = Math.Max(Tile, (int)Math.Min(int.MaxValue, budget / ((long)alpha * channels)) / Tile * Tile);
            int slabs = Math.Max(1, target / perSlab);
            // Prefer a count of slabs whose tiles fill the GEMM's 48-wide tiles well.
            int best = slabs;
            double bestFill = 0;
            for (int b = Math.Max(1, slabs / 2); b <= slabs; b++)
            {
                double fill = (double)b * perSlab / RoundUp(b * perSlab, Tile);
                if (fill > bestFill + 0.02) (best, bestFill) = (b, fill);
            }
            int blocks = (layout.Slabs + best - 1) / best;
            if (blocks >= 2 * workers || workers == 1) return new BlockPlan(best, blocks, true);
            // Too few blocks for the cores: bigger blocks, each split three ways over the cores.
            int large = Math.Max(best, Math.Min(layout.Slabs, 16 * BlockFloats / (alpha * channels) / perSlab));
            return new BlockPlan(large, (layout.Slabs + large - 1) / large, false);
        }
    }

    /// <summary>Everything one convolution's blocks share.</summary>
    private sealed class Call(CpuContext context, ConvShape s, Layout layout, PackedA[] filter, float* x, ConvolutionEpilogue epilogue,
        float* y, BlockPlan plan)
    {
        private int Alpha => layout.Alpha;
        private int PaddedK => filter[0].PaddedM;

        public CpuContext Context => context;

        private Block Describe(int block, int worker) => Block.Of(context, layout, plan.SlabsPerBlock, block, worker);

        /// <summary>The block's transformed data V (α x C rows) and products M (α x K rows), in <paramref name="worker"/>'s scratch.</summary>
        private void Buffers(in Block b, int worker, out float* v, out float* m)
        {
            v = context.Scratch(Transformed, worker).Get((long)Alpha * s.C * b.RowStride);
            m = context.Scratch(Products, worker).Get((long)Alpha * PaddedK * b.RowStride);
        }

        private float* StagingFor(in Block b, int worker) => b.Staging(context, worker);

        /// <summary>A whole block on one core.</summary>
        public void RunWhole(int block, int worker)
        {
            var b = Describe(block, worker);
            Buffers(b, worker, out float* v, out float* m);
            float* staging = StagingFor(b, worker);
            for (int c = 0; c < s.C; c++) b.TransformInput(layout, s, x, c, staging, v);
            for (int xi = 0; xi < Alpha; xi++) Multiply(b, xi, v, m);
            for (int k = 0; k < s.K; k++) InverseFilter(b, k, staging, m);
        }

        /// <summary>A block in three parallel phases: channels, transformed positions, filters.</summary>
        public void RunInPhases(int block, int worker)
        {
            var b = Describe(block, worker);
            Buffers(b, worker, out float* v, out float* m);
            context.Workers.For(s.C, new PhaseJob(this, b, v, m, 0));
            context.Workers.For(Alpha, new PhaseJob(this, b, v, m, 1));
            context.Workers.For(s.K, new PhaseJob(this, b, v, m, 2));
        }

        public void RunPhase(int phase, in Block b, int index, float* v, float* m, int worker)
        {
            if (phase == 1)
            {
                Multiply(b, index, v, m);
                return;
            }
            float* staging = StagingFor(b, worker);
            if (phase == 0) b.TransformInput(layout, s, x, index, staging, v);
            else InverseFilter(b, index, staging, m);
        }

        /// <summary>M_ξ (K x tiles) = U_ξ (K x C) · V_ξ (C x tiles), in whole 48-wide tiles.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining)]
        private void Multiply(in Block b, int xi, float* v, float* m)
        {
            var a = filter[xi];
            int depth = Sgemm.DepthBlock(s.C), width = WinogradTiling.RoundUp(b.Tiles, WinogradTiling.Tile);
            float* vx = v + (long)xi * s.C * b.RowStride;
            float* mx = m + (long)xi * PaddedK * b.RowStride;
            for (int jr = 0; jr < width; jr += WinogradTiling.Tile)
                for (int pc = 0; pc < s.C; pc += depth)
                {
                    int kc = Math.Min(depth, s.C - pc);
                    var store = pc == 0 ? GemmStore.Overwrite : GemmStore.Accumulate;
                    for (int ir = 0; ir < PaddedK; ir += Avx512GemmKernel.MR)
                        Avx512GemmKernel.Run(kc, a.Panel(pc, ir, kc), vx + (long)pc * b.RowStride + jr, b.RowStride,
                            mx + (long)ir * b.RowStride + jr, b.RowStride, store, 0f);
                }
        }

        /// <summary>Filter k of every tile of the block: the output transform, then its outputs stored through the epilogue.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining)]
        private void InverseFilter(in Block b, int k, float* staging, float* m)
        {
            nint mStride = (nint)PaddedK * b.RowStride;
            float* row = m + (long)k * b.RowStride;
            bool image = layout.Scheme == Scheme.Image;
            for (int g = 0; g < b.GroupCount; g++)
            {
                if (image) WinogradTiles.InverseGroup<F43>(row + 16 * g, mStride, staging + 64 * g, b.StagingStride);
                else WinogradTiles.InverseGroup<F33>(row + 16 * g, mStride, staging + 64 * g, b.StagingStride);
            }
            var level = context.Isa;
            for (int j = 0; j < b.SlabCount; j++)
            {
                int slab = b.FirstSlab + j, imageIndex = slab / layout.PerImage, index = slab % layout.PerImage;
                float* source = staging + 4 * b.SlabStarts[j];
                float* plane = y + ((long)imageIndex * s.K + k) * s.OutputPlane;
                if (image)
                {
                    for (int i = 0; i < 4 && 4 * index + i < s.OH; i++)
                        epilogue.Store(level, source + i * b.StagingStride, plane + (long)(4 * index + i) * s.OW, s.OW, k);
                    continue;
                }
                // Rows i1 = 0, 1, 2 in m-space woven into the slab's run of outputs, after the staging rows.
                float* woven = staging + 3L * b.StagingStride;
                WinogradTiles.WeaveThirds(source, b.StagingStride, 4 * layout.TilesOf(slab), woven);
                int start = 12 * index * layout.PerSlab;
                epilogue.Store(level, woven, plane + start, Math.Min(12 * layout.TilesOf(slab), s.OW - start), k);
            }
        }
    }

    private sealed class WholeBlocks(Call call) : IParallelBody
    {
        public void Execute(int block, int worker) => call.RunWhole(block, worker);
    }

    private sealed class PhaseJob(Call call, Block block, float* v, float* m, int phase) : IParallelBody
    {
        public void Execute(int index, int worker) => call.RunPhase(phase, block, index, v, m, worker);
    }
}
