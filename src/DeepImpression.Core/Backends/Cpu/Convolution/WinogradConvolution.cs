using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using DeepImpression.Core.Backends.Cpu.Kernels;

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
    /// <summary>The GEMM micro-tile width: tiles are multiplied 48 at a time.</summary>
    private const int Tile = 48;

    /// <summary>Tiles of a signal slab at most: a GEMM tile's worth.</summary>
    private const int SignalSlab = 48;

    /// <summary>Floats of transformed data and products a block should keep (about 1 MiB, the L2 cache).</summary>
    private const int BlockFloats = 256 * 1024;

    private static readonly PerWorkerScratch Staging = new();
    private static readonly PerWorkerScratch Transformed = new();
    private static readonly PerWorkerScratch Products = new();
    private static readonly PerWorkerScratch Filter = new();
    private static readonly PerWorkerScratch Groups = new();

    private enum Scheme { Image, Signal }

    /// <summary>AVX-512, stride 1, and a 3x3 kernel padded by at most 2, or a 1x9 kernel over rows of one padded by at most 8.</summary>
    public static bool Accepts(in ConvShape s, SimdLevel isa) =>
        isa == SimdLevel.Avx512 && s.StrideH == 1 && s.StrideW == 1 && s.OH > 0 && s.OW > 0 && SchemeOf(s) is not null;

    private static Scheme? SchemeOf(in ConvShape s)
    {
        if (s.KH == 3 && s.KW == 3 && s.PadH <= 2 && s.PadW <= 2) return Scheme.Image;
        if (s.KH == 1 && s.KW == 9 && s.H == 1 && s.PadH == 0 && s.PadW <= 8) return Scheme.Signal;
        return null;
    }

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

    /// <summary>U_ξ = (G g Gᵀ)_ξ of every (output, input) channel pair, computed in double and rounded once, packed as
    /// one GEMM left operand per ξ.</summary>
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

    /// <summary>One output channel's U_ξ for every input channel, eight input channels at a time in double lanes.</summary>
    private sealed class FilterJob(Scheme scheme, ConvShape s, float* w, bool transposed, float* u, WinogradMatrices first,
        WinogradMatrices second) : IParallelBody
    {
        private readonly double[] _first = Flatten(first.G), _second = Flatten(second.G);

        private static double[] Flatten(double[,] g) => Enumerable.Range(0, g.GetLength(0) * 3).Select(i => g[i / 3, i % 3]).ToArray();

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Execute(int o, int worker)
        {
            int alpha1 = first.Alpha, alpha2 = second.Alpha, inputs = s.C, outputs = s.K;
            var g = stackalloc Vector512<double>[9];
            var half = stackalloc Vector512<double>[6 * 3];
            var lanes = stackalloc double[8];
            fixed (double* g1 = _first, g2 = _second)
                for (int i0 = 0; i0 < inputs; i0 += 8)
                {
                    int count = Math.Min(8, inputs - i0);
                    // The 3x3 filter g[a][b] of pairs (o, i0 .. i0 + 7): a runs along the first dimension (rows, or j1 of j = j1 + 3 j2).
                    for (int a = 0; a < 3; a++)
                        for (int b = 0; b < 3; b++)
                        {
                            int tap = scheme == Scheme.Image ? a * 3 + b : a + 3 * b;
                            for (int l = 0; l < 8; l++)
                            {
                                int i = i0 + Math.Min(l, count - 1);
                                // The transposed convolution's filter (C, K) is w (K, C) turned 180°.
                                lanes[l] = transposed ? w[((long)i * outputs + o) * 9 + 8 - tap] : w[((long)o * inputs + i) * 9 + tap];
                            }
                            g[a * 3 + b] = Vector512.Load(lanes);
                        }
                    for (int x1 = 0; x1 < alpha1; x1++)
                        for (int b = 0; b < 3; b++)
                            half[x1 * 3 + b] = Vector512.Create(g1[x1 * 3]) * g[b] + Vector512.Create(g1[x1 * 3 + 1]) * g[3 + b]
                                               + Vector512.Create(g1[x1 * 3 + 2]) * g[6 + b];
                    for (int x1 = 0; x1 < alpha1; x1++)
                        for (int x2 = 0; x2 < alpha2; x2++)
                        {
                            var value = Vector512.Create(g2[x2 * 3]) * half[x1 * 3] + Vector512.Create(g2[x2 * 3 + 1]) * half[x1 * 3 + 1]
                                        + Vector512.Create(g2[x2 * 3 + 2]) * half[x1 * 3 + 2];
                            float* target = u + ((long)(x1 * alpha2 + x2) * outputs + o) * inputs + i0;
                            var narrow = Vector512.Narrow(value, value).GetLower();
                            if (count == 8) narrow.Store(target);
                            else for (int l = 0; l < count; l++) target[l] = narrow.GetElement(l);
                        }
                }
        }
    }

    // ---- Tiles, slabs and blocks ---------------------------------------------------------------------------------

    /// <summary>Where the tiles are: slab j of the batch is slab j mod <see cref="PerImage"/> of image j / PerImage.</summary>
    private readonly struct Layout
    {
        public readonly Scheme Scheme;
        /// <summary>Tiles per slab (a row of tiles; the last slab of a signal may hold fewer).</summary>
        public readonly int PerSlab;
        public readonly int PerImage;
        public readonly int Slabs;
        /// <summary>Tiles along a signal (the last slab's share is what remains).</summary>
        private readonly int _signalTiles;

        public Layout(Scheme scheme, in ConvShape s, int n)
        {
            Scheme = scheme;
            if (scheme == Scheme.Image)
            {
                PerSlab = (s.OW + 3) / 4;
                PerImage = (s.OH + 3) / 4;
                _signalTiles = 0;
            }
            else
            {
                _signalTiles = (s.OW + 11) / 12;
                PerSlab = Math.Min(SignalSlab, _signalTiles);
                PerImage = (_signalTiles + PerSlab - 1) / PerSlab;
            }
            Slabs = n * PerImage;
        }

        public int TilesOf(int slab) =>
            Scheme == Scheme.Image ? PerSlab : Math.Min(PerSlab, _signalTiles - slab % PerImage * PerSlab);
    }

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

    private static int RoundUp(int a, int multiple) => (a + multiple - 1) / multiple * multiple;

    /// <summary>One block's slabs and tiles, its groups of 16 tiles, and where each slab's tiles start.</summary>
    private readonly struct Block
    {
        public readonly int FirstSlab, SlabCount, Tiles, GroupCount;
        /// <summary>Floats from one staging row to the next (64 per group of 16 tiles, and room to read past the end).</summary>
        public readonly int StagingStride;
        /// <summary>Floats from one row of transformed data (or products) to the next: every tile, rounded up to whole
        /// 48-wide GEMM tiles.</summary>
        public readonly int RowStride;
        /// <summary>Floats from one row of tails to the next, and from the fifth columns' tails to the sixth's.</summary>
        public readonly int TailStride, TailGap;
        /// <summary>Per slab, its first tile; per group, its slab ends as a lane mask and the number of ends before it.</summary>
        public readonly int* SlabStarts, EndsBefore;
        public readonly Vector512<float>* Ends;

        public Block(in Layout layout, int first, int count, int* slabStarts, int* endsBefore, Vector512<float>* ends)
        {
            FirstSlab = first;
            SlabCount = count;
            SlabStarts = slabStarts;
            EndsBefore = endsBefore;
            Ends = ends;
            int tiles = 0;
            for (int j = 0; j < count; j++)
            {
                slabStarts[j] = tiles;
                tiles += layout.TilesOf(first + j);
            }
            slabStarts[count] = tiles;
            Tiles = tiles;
            GroupCount = (tiles + 15) / 16;
            var lanes = stackalloc int[16];
            int slab = 0, before = 0;
            for (int g = 0; g < GroupCount; g++)
            {
                endsBefore[g] = before;
                for (int lane = 0; lane < 16; lane++)
                {
                    int tile = 16 * g + lane;
                    while (slab < count && slabStarts[slab + 1] <= tile) slab++;
                    bool end = slab < count && tile == slabStarts[slab + 1] - 1;
                    lanes[lane] = end ? -1 : 0;
                    if (end) before++;
                }
                ends[g] = Vector512.Load(lanes).AsSingle();
            }
            StagingStride = 64 * GroupCount + 32;
            RowStride = RoundUp(tiles, Tile);
            TailStride = count + 16;
            TailGap = 6 * TailStride;
        }

        /// <summary>Floats of bookkeeping for a block of <paramref name="slabs"/> slabs of at most <paramref name="perSlab"/> tiles.</summary>
        public static long Bookkeeping(int slabs, int perSlab) => 2L * slabs + 2 + 17L * ((long)slabs * perSlab / 16 + 1) + 16;
    }

    /// <summary>Everything one convolution's blocks share.</summary>
    private sealed class Call(CpuContext context, ConvShape s, Layout layout, PackedA[] filter, float* x, ConvolutionEpilogue epilogue,
        float* y, BlockPlan plan)
    {
        private int Alpha1 => layout.Scheme == Scheme.Image ? 6 : 5;
        private int Alpha => Alpha1 * 6;
        private int PaddedK => filter[0].PaddedM;

        public CpuContext Context => context;

        /// <summary>The block's bookkeeping, in <paramref name="worker"/>'s scratch.</summary>
        private Block Describe(int block, int worker)
        {
            int first = block * plan.SlabsPerBlock, count = Math.Min(plan.SlabsPerBlock, layout.Slabs - first);
            int groups = (count * layout.PerSlab + 15) / 16;
            float* memory = context.Scratch(Groups, worker).Get(Block.Bookkeeping(count, layout.PerSlab));
            var ends = (Vector512<float>*)(((nint)memory + 63) & ~(nint)63);
            int* starts = (int*)(ends + groups);
            return new Block(layout, first, count, starts, starts + count + 1, ends);
        }

        /// <summary>The block's transformed data V (α x C rows) and products M (α x K rows), in <paramref name="worker"/>'s scratch.</summary>
        private void Buffers(in Block b, int worker, out float* v, out float* m)
        {
            v = context.Scratch(Transformed, worker).Get((long)Alpha * s.C * b.RowStride);
            m = context.Scratch(Products, worker).Get((long)Alpha * PaddedK * b.RowStride);
        }

        /// <summary>Staging rows (six) and the tails (two per slab and row) in <paramref name="worker"/>'s scratch.</summary>
        private float* StagingFor(in Block b, int worker) => context.Scratch(Staging, worker).Get(6L * b.StagingStride + 2L * b.TailGap + 64);

        private static float* TailsOf(in Block b, float* staging) => staging + 6L * b.StagingStride;

        /// <summary>A whole block on one core.</summary>
        public void RunWhole(int block, int worker)
        {
            var b = Describe(block, worker);
            Buffers(b, worker, out float* v, out float* m);
            float* staging = StagingFor(b, worker);
            for (int c = 0; c < s.C; c++) TransformChannel(b, c, staging, v);
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
            if (phase == 0) TransformChannel(b, index, staging, v);
            else InverseFilter(b, index, staging, m);
        }

        /// <summary>Channel c of every slab of the block: staged (first dimension), its tails kept, then transformed
        /// (second dimension) into V.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining)]
        private void TransformChannel(in Block b, int c, float* staging, float* v)
        {
            float* tails = TailsOf(b, staging);
            int rows = Alpha1;
            if (c + 1 < s.C) PrefetchChannel(b, c + 1);
            for (int j = 0; j < b.SlabCount; j++)
            {
                int slab = b.FirstSlab + j, image = slab / layout.PerImage, index = slab % layout.PerImage;
                int start = b.SlabStarts[j], tiles = b.SlabStarts[j + 1] - start;
                float* plane = x + ((long)image * s.C + c) * s.InputPlane;
                float* target = staging + 4 * start;
                if (layout.Scheme == Scheme.Image)
                    WinogradTiles.StageImage(plane, s.H, s.W, 4 * index - s.PadH, s.PadW, 4 * tiles + 2, target, b.StagingStride);
                else
                    WinogradTiles.StageSignal(plane, s.W, 4 * index * layout.PerSlab, s.PadW, 4 * tiles + 2, target, b.StagingStride);
                // The two columns past the slab's last tile, before the next slab's first tile overwrites them.
                for (int r = 0; r < rows; r++)
                {
                    float* row = target + r * b.StagingStride + 4 * tiles;
                    tails[r * b.TailStride + j] = row[0];
                    tails[b.TailGap + r * b.TailStride + j] = row[1];
                }
            }
            nint vStride = (nint)s.C * b.RowStride;
            float* target0 = v + (long)c * b.RowStride;
            for (int g = 0; g < b.GroupCount; g++)
                WinogradTiles.TransformGroup(staging + 64 * g, b.StagingStride, rows, b.Ends[g], tails + b.EndsBefore[g], b.TailStride,
                    b.TailGap, target0 + 16 * g, vStride);
        }

        /// <summary>Asks for the input rows a block reads of channel c (one contiguous run per image) while the
        /// previous channel is transformed: each channel's run is short, and far from the last, so the hardware's own
        /// prefetcher would not start on it in time.</summary>
        private void PrefetchChannel(in Block b, int c)
        {
            int firstImage = b.FirstSlab / layout.PerImage, lastImage = (b.FirstSlab + b.SlabCount - 1) / layout.PerImage;
            for (int image = firstImage; image <= lastImage; image++)
            {
                int from = Math.Max(b.FirstSlab, image * layout.PerImage) % layout.PerImage;
                int to = Math.Min(b.FirstSlab + b.SlabCount - 1, (image + 1) * layout.PerImage - 1) % layout.PerImage;
                long start, end;
                if (layout.Scheme == Scheme.Image)
                {
                    start = (long)Math.Max(0, 4 * from - s.PadH) * s.W;
                    end = (long)Math.Min(s.H, 4 * to + 6 - s.PadH) * s.W;
                }
                else
                {
                    start = Math.Max(0, 12 * from * layout.PerSlab - s.PadW);
                    end = Math.Min(s.W, 12 * (to + 1) * layout.PerSlab + 8 - s.PadW);
                }
                float* plane = x + ((long)image * s.C + c) * s.InputPlane;
                for (long at = start; at < end; at += 16) System.Runtime.Intrinsics.X86.Sse.Prefetch0(plane + at);
            }
        }

        /// <summary>M_ξ (K x tiles) = U_ξ (K x C) · V_ξ (C x tiles), in whole 48-wide tiles.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining)]
        private void Multiply(in Block b, int xi, float* v, float* m)
        {
            var a = filter[xi];
            int depth = Sgemm.DepthBlock(s.C), width = RoundUp(b.Tiles, Tile);
            float* vx = v + (long)xi * s.C * b.RowStride;
            float* mx = m + (long)xi * PaddedK * b.RowStride;
            for (int jr = 0; jr < width; jr += Tile)
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
