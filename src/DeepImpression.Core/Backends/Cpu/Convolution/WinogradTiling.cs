using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using DeepImpression.Core.Backends.Cpu.Kernels;

namespace DeepImpression.Core.Backends.Cpu.Convolution;

/// <summary>
/// How the Winograd algorithms cut a batch into tiles: a slab is an image's row of 4x4 tiles (or a run of at most 48
/// tiles of 12 outputs along a signal), a block a run of slabs whose transformed data stays in the caches. Shared by
/// <see cref="WinogradConvolution"/> and <see cref="WinogradFilterGradient"/>.
/// </summary>
[SkipLocalsInit]
internal static unsafe class WinogradTiling
{
    /// <summary>The GEMM micro-tile width: tiles are multiplied 48 at a time.</summary>
    public const int Tile = 48;

    /// <summary>Tiles of a signal slab at most: a GEMM tile's worth.</summary>
    private const int SignalSlab = 48;

    private static readonly PerWorkerScratch StagingRows = new();
    private static readonly PerWorkerScratch Bookkeeping = new();

    /// <summary>4x4 tiles of an image (3x3 kernels), or tiles of twelve outputs of a signal (1x9 kernels, nested).</summary>
    public enum Scheme { Image, Signal }

    public static Scheme? SchemeOf(in ConvShape s)
    {
        if (s.KH == 3 && s.KW == 3 && s.PadH <= 2 && s.PadW <= 2) return Scheme.Image;
        if (s.KH == 1 && s.KW == 9 && s.H == 1 && s.PadH == 0 && s.PadW <= 8) return Scheme.Signal;
        return null;
    }

    public static int RoundUp(int a, int multiple) => (a + multiple - 1) / multiple * multiple;

    /// <summary>Where the tiles are: slab j of the batch is slab j mod <see cref="PerImage"/> of image j / PerImage.</summary>
    internal readonly struct Layout
    {
        public readonly Scheme Scheme;
        /// <summary>Transformed positions along the first dimension (6, or 5 for a signal's F(3, 3)); the second has 6.</summary>
        public readonly int Alpha1;
        /// <summary>Tiles per slab (a row of tiles; the last slab of a signal may hold fewer).</summary>
        public readonly int PerSlab;
        public readonly int PerImage;
        public readonly int Slabs;
        /// <summary>Tiles along a signal (the last slab's share is what remains).</summary>
        private readonly int _signalTiles;

        public Layout(Scheme scheme, in ConvShape s, int n)
        {
            Alpha1 = scheme == Scheme.Image ? 6 : 5;
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

        public int Alpha => Alpha1 * 6;

        public int TilesOf(int slab) =>
            Scheme == Scheme.Image ? PerSlab : Math.Min(PerSlab, _signalTiles - slab % PerImage * PerSlab);
    }

    /// <summary>One block's slabs and tiles, its groups of 16 tiles, and where each slab's tiles start.</summary>
    internal readonly struct Block
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

        public Block(in WinogradTiling.Layout layout, int first, int count, int* slabStarts, int* endsBefore, Vector512<float>* ends)
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
        private static long Floats(int slabs, int perSlab) => 2L * slabs + 2 + 17L * ((long)slabs * perSlab / 16 + 1) + 16;
    
        /// <summary>Block <paramref name="block"/> of <paramref name="slabsPerBlock"/> slabs, its bookkeeping in
        /// <paramref name="worker"/>'s scratch.</summary>
        public static Block Of(CpuContext context, in WinogradTiling.Layout layout, int slabsPerBlock, int block, int worker)
        {
            int first = block * slabsPerBlock, count = Math.Min(slabsPerBlock, layout.Slabs - first);
            int groups = (count * layout.PerSlab + 15) / 16;
            float* memory = context.Scratch(Bookkeeping, worker).Get(Floats(count, layout.PerSlab));
            var ends = (Vector512<float>*)(((nint)memory + 63) & ~(nint)63);
            int* starts = (int*)(ends + groups);
            return new Block(layout, first, count, starts, starts + count + 1, ends);
        }

        /// <summary>Staging rows (six) and the tails (two per slab and row) in <paramref name="worker"/>'s scratch.</summary>
        public float* Staging(CpuContext context, int worker) => context.Scratch(StagingRows, worker).Get(6L * StagingStride + 2L * TailGap + 64);

        /// <summary>Channel c of x (N, C, H, W) at every slab of the block: staged (first dimension), its tails kept,
        /// then transformed (second dimension) into V (α rows of C rows of <see cref="RowStride"/> tiles).</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining)]
        public void TransformInput(in WinogradTiling.Layout layout, in ConvShape s, float* x, int c, float* staging, float* v)
        {
            float* tails = staging + 6L * StagingStride;
            int rows = layout.Alpha1;
            if (c + 1 < s.C) Prefetch(layout, s, x, c + 1);
            for (int j = 0; j < SlabCount; j++)
            {
                int slab = FirstSlab + j, image = slab / layout.PerImage, index = slab % layout.PerImage;
                int start = SlabStarts[j], tiles = SlabStarts[j + 1] - start;
                float* plane = x + ((long)image * s.C + c) * s.InputPlane;
                float* target = staging + 4 * start;
                if (layout.Scheme == WinogradTiling.Scheme.Image)
                    WinogradTiles.StageImage(plane, s.H, s.W, 4 * index - s.PadH, s.PadW, 4 * tiles + 2, target, StagingStride);
                else
                    WinogradTiles.StageSignal(plane, s.W, 4 * index * layout.PerSlab, s.PadW, 4 * tiles + 2, target, StagingStride);
                // The two columns past the slab's last tile, before the next slab's first tile overwrites them.
                for (int r = 0; r < rows; r++)
                {
                    float* row = target + r * StagingStride + 4 * tiles;
                    tails[r * TailStride + j] = row[0];
                    tails[TailGap + r * TailStride + j] = row[1];
                }
            }
            nint vStride = (nint)s.C * RowStride;
            float* target0 = v + (long)c * RowStride;
            for (int g = 0; g < GroupCount; g++)
                WinogradTiles.TransformGroup(staging + 64 * g, StagingStride, rows, Ends[g], tails + EndsBefore[g], TailStride,
                    TailGap, target0 + 16 * g, vStride);
        }

        /// <summary>Asks for the input rows a block reads of channel c (one contiguous run per image) while the
        /// previous channel is transformed: each channel's run is short, and far from the last, so the hardware's own
        /// prefetcher would not start on it in time. Only up to what the first-level cache holds until it is read (a
        /// large block's channel would evict itself).</summary>
        private void Prefetch(in WinogradTiling.Layout layout, in ConvShape s, float* x, int c)
        {
            const long Reach = 8192;
            int firstImage = FirstSlab / layout.PerImage, lastImage = (FirstSlab + SlabCount - 1) / layout.PerImage;
            var runs = stackalloc long[2 * (lastImage - firstImage + 1)];
            long total = 0;
            for (int image = firstImage; image <= lastImage; image++)
            {
                int from = Math.Max(FirstSlab, image * layout.PerImage) % layout.PerImage;
                int to = Math.Min(FirstSlab + SlabCount - 1, (image + 1) * layout.PerImage - 1) % layout.PerImage;
                long start, end;
                if (layout.Scheme == WinogradTiling.Scheme.Image)
                {
                    start = (long)Math.Max(0, 4 * from - s.PadH) * s.W;
                    end = (long)Math.Min(s.H, 4 * to + 6 - s.PadH) * s.W;
                }
                else
                {
                    start = Math.Max(0, 12 * from * layout.PerSlab - s.PadW);
                    end = Math.Min(s.W, 12 * (to + 1) * layout.PerSlab + 8 - s.PadW);
                }
                (runs[2 * (image - firstImage)], runs[2 * (image - firstImage) + 1]) = (start, end);
                total += Math.Max(0, end - start);
            }
            if (total > Reach) return;
            for (int image = firstImage; image <= lastImage; image++)
            {
                float* plane = x + ((long)image * s.C + c) * s.InputPlane;
                for (long at = runs[2 * (image - firstImage)]; at < runs[2 * (image - firstImage) + 1]; at += 16)
                    System.Runtime.Intrinsics.X86.Sse.Prefetch0(plane + at);
            }
        }
    }
}
