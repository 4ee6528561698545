using System.Runtime.CompilerServices;

namespace DeepImpression.Core.Backends.Cpu.Kernels;

/// <summary>
/// Convolution as one GEMM over the whole batch, with the lowered (im2col) matrix never materialised. The columns
/// of the product are the output positions of every image, q = n·OH·OW + p, cut into pieces that the cores take
/// one at a time; the filter is packed once per call and shared.
/// <list type="bullet">
/// <item>forward: y (K x Q) = W (K x C·kh·kw) · lowered(x). With AVX-512 the micro-kernel mostly reads the
/// input in place (<see cref="IndirectConvolution"/>); otherwise lowered panels are packed straight from the input
/// (<see cref="Im2ColSource"/>), and a 1x1, stride-1 convolution packs the input planes as they are.</item>
/// <item>backward data: for stride 1, a forward convolution of dy with the flipped filter; otherwise
/// dlowered (C·kh·kw x Q) = Wᵀ · dy, added back onto dx (col2im) image by image.</item>
/// <item>backward filter: dW (K x C·kh·kw) = dy · lowered(x)ᵀ as register-tiled dot products along q
/// (<see cref="DotKernels"/>), each core summing its pieces into its own partial.</item>
/// </list>
/// </summary>
internal static unsafe class ConvolutionKernels
{
    /// <summary>Pieces per core to aim for, so that a core slowed by other work takes fewer.</summary>
    private const int PiecesPerWorker = 8;

    /// <summary>Output positions (over the whole batch) up to which a convolution is computed as one product split by
    /// the GEMM, rather than in pieces: the deepest layers at small batches.</summary>
    internal const int SmallProduct = 2048;

    /// <summary>Output positions up to which a filter gradient is one GEMM over lowered rows rather than dot
    /// products along the positions (each dot tile ends in horizontal sums that short rows do not amortise).</summary>
    internal const int SmallFilterGradient = 2048;

    /// <summary>Partial sums of a filter gradient: a constant, not the core count, so that the sum's rounding is the
    /// same on every machine (four keep two or four cores busy).</summary>
    private const int FilterGroups = 4;

    private static readonly PerWorkerScratch PackedFilter = new();
    private static readonly PerWorkerScratch FilterPieceRows = new();
    private static readonly PerWorkerScratch PieceOutput = new();
    private static readonly PerWorkerScratch SmallLowered = new();
    private static readonly PerWorkerScratch WholeBatchGrid = new();
    private static readonly PerWorkerScratch WholeBatchOffsets = new();
    private static readonly PerWorkerScratch FilterPartials = new();
    private static readonly PerWorkerScratch FilterGrid = new();
    private static readonly PerWorkerScratch FilterGridOffsets = new();

    private static int DivUp(int a, int b) => (a + b - 1) / b;
    private static int RoundUp(int a, int multiple) => DivUp(a, multiple) * multiple;

    /// <summary>Whole images per piece: as many as fit, but few enough that every core gets about two pieces.</summary>
    internal static int ImagesPerPiece(int fit, int images) =>
        Math.Max(1, Math.Min(fit, DivUp(images, 2 * CpuWorkers.Count)));

    // ---- Forward ------------------------------------------------------------------------------------------

    /// <param name="reserve">Where to build the input's phase grid so that <see cref="BackwardFilter"/> of the same x
    /// need not (<see cref="ReserveSize"/> floats), or null.</param>
    public static void Forward(in ConvShape s, int n, float* x, float* w, float* bias, float* y, float* reserve = null)
    {
        if (n == 0 || s.OutputPlane == 0 || s.K == 0) return;
        CpuWorkers.Serial(1, new ForwardCall(s, n, x, w, bias, y, reserve));
    }

    private sealed class ForwardCall(ConvShape s, int n, float* x, float* w, float* bias, float* y, float* reserve) : IParallelBody
    {
        public void Execute(int index, int worker) => ForwardOnCaller(s, n, x, w, bias, y, worker, reserve);
    }

    private static void ForwardOnCaller(in ConvShape s, int n, float* x, float* w, float* bias, float* y, int worker, float* reserve)
    {
        var filter = Sgemm.Pack(StridedSource.ForA(MatrixView.RowMajor(w, s.Patch), 1f), s.K, s.Patch,
            PackedFilter[worker].Get(Sgemm.PackedSize(s.K, s.Patch)));
        ForwardPacked(s, n, filter, x, bias, y, worker, reserve);
    }

    private static void ForwardPacked(in ConvShape s, int n, PackedA filter, float* x, float* bias, float* y, int worker, float* reserve = null)
    {
        if (IndirectConvolution.Applies(s, n))
            IndirectConvolution.Forward(s, n, filter, x, bias, y, worker, reserve);
        else if (s.IsPointwise)
            BatchedProduct(filter, new BatchedPlanesSource(x, s.C, s.InputPlane, 0), n, s.OutputPlane, y, bias);
        else if ((long)n * s.OutputPlane <= SmallProduct)
            SmallForward(s, n, filter, x, bias, y, worker, reserve);
        else
            BatchedProduct(filter, new Im2ColSource(s, x, 0), n, s.OutputPlane, y, bias);
    }

    /// <summary>Whether <see cref="Forward"/> builds the input's phase grid (the paths above that read one).</summary>
    private static bool ForwardBuildsGrid(in ConvShape s, int n) =>
        n > 0 && s.OutputPlane > 0 && s.K > 0 && (IndirectConvolution.Applies(s, n)
            || (!s.IsPointwise && (long)n * s.OutputPlane <= SmallProduct && PhaseGrid.Addressable(s, n)));

    /// <summary>Whether <see cref="BackwardFilter"/> reads the input's phase grid (the branches of <see cref="BackwardFilterCall"/>).</summary>
    private static bool FilterGradientReadsGrid(in ConvShape s, int n)
    {
        long total = (long)n * s.OutputPlane;
        if (total == 0 || s.K == 0 || s.Patch == 0) return false;
        return s.K >= 64 && total <= SmallFilterGradient ? PhaseGrid.Addressable(s, n) : s.KH * s.KW > 1 && PhaseGrid.Worthwhile(s, n);
    }

    /// <summary>
    /// Floats a training forward needs to keep its input's phase grid for the filter gradient: the grid's size when
    /// both build the same one (about a third of all grid building in a training step), else 0.
    /// </summary>
    public static long ReserveSize(in ConvShape s, int n) =>
        ForwardBuildsGrid(s, n) && FilterGradientReadsGrid(s, n) ? new PhaseGrid(s, n).Size(s) : 0;

    /// <summary>
    /// A small batch of small maps: one product over the whole batch that the GEMM splits over the cores in whole
    /// micro-tiles, its B panels packed straight from the batch's phase grid (plain copies, no lowered matrix).
    /// </summary>
    private static void SmallForward(in ConvShape s, int n, PackedA filter, float* x, float* bias, float* y, int worker, float* reserve)
    {
        int total = n * s.OutputPlane;
        float* product = SmallLowered[worker].Get((long)filter.PaddedM * total);
        if (PhaseGrid.Addressable(s, n))
        {
            var grid = WholeBatchGridOf(s, n, x, worker, reserve, build: true, out float* cells, out int* offsets);
            Sgemm.MultiplyPacked(filter, new PhaseGridSource(s, grid, cells, offsets), total, 0f, product, total);
        }
        else
        {
            Sgemm.MultiplyPacked(filter, new Im2ColSource(s, x, 0), total, 0f, product, total);
        }
        for (int image = 0; image < n; image++)
            for (int k = 0; k < s.K; k++)
                VectorMath.ScaleShift(product + (long)k * total + image * s.OutputPlane, y + ((long)image * s.K + k) * s.OutputPlane,
                    s.OutputPlane, 1f, bias == null ? 0f : bias[k]);
    }

    /// <summary>
    /// out[n, i, p] = Σ_d a[i, d]·b[d, q] (+ bias[i]) for q = n·plane + p over the batch: a product whose output is a
    /// batch of (a.M, plane) stacks. A piece is a column range inside one image (stored in place) or, for small
    /// planes, a group of whole images (computed into scratch, then spread over the images).
    /// </summary>
    private static void BatchedProduct<TB>(PackedA a, TB b, int n, int plane, float* output, float* bias)
        where TB : struct, IPanelSource, IColumnRange<TB>
    {
        int nr = Sgemm.ColumnTile(a.Level);
        long total = (long)n * plane;
        int target = Math.Max(1, (int)Math.Min(int.MaxValue, DivUp((int)Math.Min(total, int.MaxValue), PiecesPerWorker * CpuWorkers.Count)));
        // Wide enough to amortise packing, narrow enough to balance; a multiple of the micro-tile width.
        int columns = Math.Clamp(RoundUp(target, nr), 4 * nr, 2048);
        var job = new BatchedProductJob<TB>(a, b, n, plane, output, bias, columns);
        RunPieces(job, job.Pieces);
    }

    private sealed class BatchedProductJob<TB> : IParallelBody, ISplittable where TB : struct, IPanelSource, IColumnRange<TB>
    {
        private readonly PackedA _a;
        private readonly TB _b;
        private readonly int _n, _plane, _columns, _perImage, _imagesPerPiece;
        private readonly float* _output, _bias;

        public BatchedProductJob(PackedA a, TB b, int n, int plane, float* output, float* bias, int columns)
        {
            (_a, _b, _n, _plane) = (a, b, n, plane);
            _output = output;
            _bias = bias;
            if (plane >= columns)
            {
                // Split each image into near-equal column ranges.
                _perImage = DivUp(plane, columns);
                _columns = RoundUp(DivUp(plane, _perImage), Sgemm.ColumnTile(a.Level));
                _perImage = DivUp(plane, _columns);
                _imagesPerPiece = 0;
                Pieces = n * _perImage;
            }
            else if ((long)n * plane <= SmallProduct)
            {
                // A small batch of small maps: one product over every column, split over the cores by the GEMM
                // itself in whole micro-tiles (pieces of a few images would leave tiles half empty).
                _imagesPerPiece = n;
                Pieces = 1;
            }
            else
            {
                _imagesPerPiece = ImagesPerPiece(columns / plane, n);
                Pieces = DivUp(n, _imagesPerPiece);
            }
        }

        public int Pieces { get; }

        public bool Parallel { get; set; }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Execute(int piece, int worker)
        {
            int m = _a.M;
            if (_imagesPerPiece == 0)
            {
                int image = piece / _perImage;
                int p0 = piece % _perImage * _columns;
                int count = Math.Min(_columns, _plane - p0);
                float* o = _output + (long)image * m * _plane + p0;
                var source = _b.From(image * _plane + p0);
                Sgemm.MultiplyPacked(_a, source, count, 0f, o, _plane, Parallel);
                if (_bias != null)
                    for (int i = 0; i < m; i++) VectorMath.ScaleShift(o + (long)i * _plane, o + (long)i * _plane, count, 1f, _bias[i]);
            }
            else
            {
                int first = piece * _imagesPerPiece;
                int images = Math.Min(_imagesPerPiece, _n - first);
                int count = images * _plane;
                float* tmp = PieceOutput[worker].Get((long)m * count);
                Sgemm.MultiplyPacked(_a, _b.From(first * _plane), count, 0f, tmp, count, Parallel);
                for (int g = 0; g < images; g++)
                    for (int i = 0; i < m; i++)
                    {
                        float* dst = _output + ((long)(first + g) * m + i) * _plane;
                        VectorMath.ScaleShift(tmp + (long)i * count + g * _plane, dst, _plane, 1f, _bias == null ? 0f : _bias[i]);
                    }
            }
        }
    }

    /// <summary>A piece job that can instead split each piece's product over the cores.</summary>
    private interface ISplittable
    {
        bool Parallel { set; }
    }

    private static void RunPieces<TJob>(TJob job, int pieces) where TJob : class, IParallelBody, ISplittable
    {
        if (pieces >= CpuWorkers.Count)
        {
            CpuWorkers.For(pieces, job);
        }
        else
        {
            // Too few pieces to go round: run them in turn and split each product over the cores instead.
            job.Parallel = true;
            CpuWorkers.Serial(pieces, job);
        }
    }

    // ---- Backward data ------------------------------------------------------------------------------------

    public static void BackwardData(in ConvShape s, int n, float* w, float* dy, float* dx)
    {
        if (n == 0) return;
        if (s.OutputPlane == 0 || s.K == 0)
        {
            new Span<float>(dx, n * s.C * s.InputPlane).Clear();
            return;
        }
        CpuWorkers.Serial(1, new BackwardDataCall(s, n, w, dy, dx));
    }

    private sealed class BackwardDataCall(ConvShape s, int n, float* w, float* dy, float* dx) : IParallelBody
    {
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Execute(int index, int worker)
        {
            if (s.StrideH == 1 && s.StrideW == 1 && !s.IsPointwise && s.PadH < s.KH && s.PadW < s.KW)
            {
                // A stride-1 convolution's input gradient is itself a convolution: of dy, padded by k − 1 − p, with
                // the filter turned 180° and its two channel axes swapped. It runs on the forward path, lowering
                // included, instead of scattering a lowered gradient back (col2im).
                var transposed = new ConvShape(s.K, s.OH, s.OW, s.C, s.KH, s.KW, s.H, s.W, 1, 1, s.KH - 1 - s.PadH, s.KW - 1 - s.PadW);
                var flipped = Sgemm.Pack(new FlippedFilterSource(w, s.C, s.KH * s.KW), s.C, s.K * s.KH * s.KW,
                    PackedFilter[worker].Get(Sgemm.PackedSize(s.C, s.K * s.KH * s.KW)));
                ForwardPacked(transposed, n, flipped, dy, null, dx, worker);
                return;
            }
            // Wᵀ: (C·kh·kw) x K, packed once.
            var filterT = Sgemm.Pack(StridedSource.ForA(MatrixView.Transposed(w, s.Patch), 1f), s.Patch, s.K,
                PackedFilter[worker].Get(Sgemm.PackedSize(s.Patch, s.K)));
            var gradient = new BatchedPlanesSource(dy, s.K, s.OutputPlane, 0);
            if (s.IsPointwise)
            {
                BatchedProduct(filterT, gradient, n, s.OutputPlane, dx, null);
                return;
            }
            var job = new BackwardDataJob(s, n, filterT, gradient, dx);
            RunPieces(job, job.Pieces);
        }
    }

    /// <summary>A piece is a group of whole images (windows of one image overlap in dx, so an image is never shared).</summary>
    private sealed class BackwardDataJob : IParallelBody, ISplittable
    {
        private readonly ConvShape _s;
        private readonly int _n, _imagesPerPiece, _chunk;
        private readonly PackedA _filterT;
        private readonly BatchedPlanesSource _gradient;
        private readonly float* _dx;

        public BackwardDataJob(ConvShape s, int n, PackedA filterT, BatchedPlanesSource gradient, float* dx)
        {
            (_s, _n, _filterT, _gradient) = (s, n, filterT, gradient);
            _dx = dx;
            // Lowered gradient columns per GEMM: about 1 MiB of scratch.
            int columns = Math.Max(4 * Sgemm.ColumnTile(filterT.Level), (256 * 1024) / Math.Max(1, s.Patch));
            _imagesPerPiece = s.OutputPlane >= columns ? 1 : ImagesPerPiece(columns / s.OutputPlane, n);
            _chunk = s.OutputPlane >= columns ? RoundUp(DivUp(s.OutputPlane, DivUp(s.OutputPlane, columns)), Sgemm.ColumnTile(filterT.Level)) : s.OutputPlane;
            Pieces = DivUp(n, _imagesPerPiece);
        }

        public int Pieces { get; }

        public bool Parallel { get; set; }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Execute(int piece, int worker)
        {
            var s = _s;
            int plane = s.OutputPlane;
            int first = piece * _imagesPerPiece;
            int images = Math.Min(_imagesPerPiece, _n - first);
            new Span<float>(Dx(first), images * s.C * s.InputPlane).Clear();
            if (images > 1 || _chunk >= plane)
            {
                int count = images * plane;
                float* dcol = PieceOutput[worker].Get((long)s.Patch * count);
                Sgemm.MultiplyPacked(_filterT, _gradient.From(first * plane), count, 0f, dcol, count, Parallel);
                for (int g = 0; g < images; g++) Im2Col.Raise(s, dcol + g * plane, count, 0, plane, Dx(first + g));
                return;
            }
            for (int p0 = 0; p0 < plane; p0 += _chunk)
            {
                int count = Math.Min(_chunk, plane - p0);
                float* dcol = PieceOutput[worker].Get((long)s.Patch * count);
                Sgemm.MultiplyPacked(_filterT, _gradient.From(first * plane + p0), count, 0f, dcol, count, Parallel);
                Im2Col.Raise(s, dcol, count, p0, count, Dx(first));
            }
        }

        private float* Dx(int image) => _dx + (long)image * _s.C * _s.InputPlane;
    }

    // ---- Backward filter ----------------------------------------------------------------------------------

    /// <param name="reserve">The reserve the forward of this x filled (its phase grid), or null to build the grid here.</param>
    public static void BackwardFilter(in ConvShape s, int n, float* x, float* dy, float* dw, float* reserve = null) =>
        CpuWorkers.Serial(1, new BackwardFilterCall(s, n, x, dy, dw, reserve));

    private sealed class BackwardFilterCall(ConvShape s, int n, float* x, float* dy, float* dw, float* reserve) : IParallelBody
    {
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Execute(int index, int worker)
        {
            long filter = (long)s.K * s.Patch;
            long total = (long)n * s.OutputPlane;
            if (total == 0 || filter == 0)
            {
                new Span<float>(dw, (int)filter).Clear();
                return;
            }
            if (s.K >= 64 && total <= SmallFilterGradient)
            {
                FilterGradientByGemm(s, n, x, dy, dw, (int)total, worker, reserve);
                return;
            }
            BackwardFilterJob job;
            if (s.KH * s.KW > 1 && PhaseGrid.Worthwhile(s, n))
            {
                // Lowered rows read in place from the phase grid; dy is laid out on the grid, zero where no output is.
                // It pays for the input layers (few channels, wide kernels, strided gathers) only: elsewhere the
                // unaligned in-place reads cost more than lowering into aligned rows (measured).
                var grid = new PhaseGrid(s, n);
                float* cells = reserve;
                if (cells == null)
                {
                    cells = FilterGrid[worker].Get(grid.Size(s));
                    grid.Build(s, x, cells);
                }
                int* offsets = (int*)FilterGridOffsets[worker].Get(s.Patch);
                grid.Offsets(s, offsets);
                var pieces = grid.Pieces(s, PieceLength(grid.Images * grid.Plane, s.K));
                job = new BackwardFilterJob(s, x, dy, pieces.Count, (int)total, 0) { Grid = grid, Cells = cells, Offsets = offsets, GridCut = pieces, CopyRows = true };
            }
            else
            {
                int length = PieceLength((int)total, s.K);
                job = new BackwardFilterJob(s, x, dy, DivUp((int)total, length), (int)total, length);
            }
            // Pieces are dealt into a fixed number of groups, each summing its pieces in order into its own partial;
            // the partials are added in group order. Neither the cut nor the groups depend on the cores, so the
            // result is the same whichever core ran which group, and on machines with any number of cores.
            int groups = Math.Min(job.Pieces, FilterGroups);
            job.Groups = groups;
            job.Partials = FilterPartials[worker].Get(groups * filter);
            CpuWorkers.For(groups, job);
            new ReadOnlySpan<float>(job.Partials, (int)filter).CopyTo(new Span<float>(dw, (int)filter));
            for (int g = 1; g < groups; g++) VectorMath.AddInPlace(job.Partials + g * filter, dw, (int)filter);
        }

        /// <summary>
        /// dW = dy · loweredᵀ as one GEMM over all positions, for few positions and many filters (the deepest
        /// layers): dot products that short would spend as much on their horizontal sums as on the products.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void FilterGradientByGemm(in ConvShape s, int n, float* x, float* dy, float* dw, int total, int worker, float* reserve)
        {
            bool onGrid = PhaseGrid.Addressable(s, n);
            float* rows = SmallLowered[worker].Get((long)s.K * total + (onGrid ? 0 : (long)s.Patch * total));
            for (int k = 0; k < s.K; k++) BackwardFilterJob.CopyPlaneRow(dy, s.K, s.OutputPlane, k, 0, total, rows + (long)k * total);
            var gradient = Sgemm.Pack(StridedSource.ForA(MatrixView.RowMajor(rows, total), 1f), s.K, total,
                PackedFilter[worker].Get(Sgemm.PackedSize(s.K, total)));
            if (onGrid)
            {
                // The lowered rows' transpose is packed straight from the phase grid: no lowered matrix.
                var grid = WholeBatchGridOf(s, n, x, worker, reserve, build: reserve == null, out float* cells, out int* offsets);
                Sgemm.MultiplyPacked(gradient, new TransposedPhaseGridSource(s, grid, cells, offsets), s.Patch, 0f, dw, s.Patch);
                return;
            }
            float* lowered = rows + (long)s.K * total;
            CpuWorkers.For(s.Patch, new LowerRowsJob(s, x, total, lowered));
            Sgemm.MultiplyPacked(gradient, StridedSource.ForB(MatrixView.Transposed(lowered, total)), s.Patch, 0f, dw, s.Patch);
        }

        /// <summary>
        /// Positions per piece: as many as possible (each dot tile ends in 24 horizontal sums), but with the piece's
        /// dy rows (filters x positions) within about 512 KiB of L2, and at least one piece per group; a multiple of 16.
        /// </summary>
        private static int PieceLength(int total, int filters)
        {
            int longest = Math.Clamp(128 * 1024 / Math.Max(1, filters) / 16 * 16, 256, 1024);
            int length = Math.Min(longest, Math.Max(64, RoundUp(DivUp(total, FilterGroups), 16)));
            int pieces = DivUp(total, length);
            return RoundUp(DivUp(total, pieces), 16);
        }
    }

    /// <summary>
    /// dW[k, r] = Σ_q dy[k, q]·lowered[r, q] over a range of positions per piece, as dot products along q: the piece
    /// copies its dy rows once, then takes a few lowered rows at a time (copied from a phase grid, or lowered, into
    /// L1) and runs the register-tiled dot kernel over every filter. A parallel index is a group of consecutive
    /// pieces summed into the group's own partial. Positions are output positions q = n·OH·OW + p, or grid positions
    /// when <see cref="Grid"/> is set.
    /// </summary>
    private sealed class BackwardFilterJob(ConvShape s, float* x, float* dy, int pieces, int total, int length) : IParallelBody
    {
        public int Pieces => pieces;

        public int Groups { get; set; }
        public float* Partials { get; set; }

        public PhaseGrid Grid { get; init; }
        public float* Cells { get; init; }
        public int* Offsets { get; init; }
        public GridPieces GridCut { get; init; }
        public bool CopyRows { get; init; }

        public void Execute(int group, int worker)
        {
            float* partial = Partials + (long)group * s.K * s.Patch;
            int first = (int)((long)group * pieces / Groups), end = (int)((long)(group + 1) * pieces / Groups);
            for (int piece = first; piece < end; piece++) Piece(piece, worker, partial, accumulate: piece > first);
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Piece(int piece, int worker, float* partial, bool accumulate)
        {
            bool onGrid = Cells != null;
            int q0, count;
            if (onGrid) (q0, count) = GridCut[piece];
            else (q0, count) = (piece * length, Math.Min(length, total - piece * length));
            int padded = RoundUp(count, 16);
            var (tileRows, tileColumns) = DotKernels.Tile;
            float* gradient = FilterPieceRows[worker].Get((long)s.K * padded + (long)tileColumns * padded + 16);
            float* lowered = gradient + (long)s.K * padded;
            int* rows = (int*)(lowered + (long)tileColumns * padded);
            for (int k = 0; k < s.K; k++)
            {
                float* dst = gradient + (long)k * padded;
                if (onGrid) CopyGridRow(dy, k, q0, count, dst);
                else CopyPlaneRow(dy, s.K, s.OutputPlane, k, q0, count, dst);
                for (int t = count; t < padded; t++) dst[t] = 0f;
            }
            float* rowBase = onGrid && !CopyRows ? Cells + q0 : lowered;
            for (int r0 = 0; r0 < s.Patch; r0 += tileColumns)
            {
                int columns = Math.Min(tileColumns, s.Patch - r0);
                for (int j = 0; j < columns; j++)
                {
                    if (onGrid && !CopyRows)
                    {
                        // Past count the grid holds other positions' inputs; their dy is zero.
                        rows[j] = Offsets[r0 + j];
                        continue;
                    }
                    if (onGrid)
                    {
                        // Aligned copies of grid rows: cheaper than lowering, and loads that never split cache lines.
                        VectorMath.Copy(Cells + q0 + Offsets[r0 + j], lowered + (long)j * padded, padded);
                        rows[j] = j * padded;
                        continue;
                    }
                    float* row = lowered + (long)j * padded;
                    Im2Col.LowerBatchRow(s, x, r0 + j, q0, count, row);
                    for (int t = count; t < padded; t++) row[t] = 0f;
                    rows[j] = j * padded;
                }
                for (int k0 = 0; k0 < s.K; k0 += tileRows)
                    DotKernels.Tile4x6OrLess(Math.Min(tileRows, s.K - k0), columns, padded, gradient + (long)k0 * padded, padded,
                        rowBase, rows, partial + (long)k0 * s.Patch + r0, s.Patch, accumulate);
            }
        }

        /// <summary>dst[t] = dy[n, k, oh, ow] for grid position q0 + t = n·plane + oh·Wq + ow when that is an output, else 0.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void CopyGridRow(float* data, int k, int q0, int count, float* dst)
        {
            var g = Grid;
            for (int t = 0; t < count;)
            {
                int q = q0 + t, image = q / g.Plane, local = q - image * g.Plane;
                int oh = local / g.Wq, ow = local - oh * g.Wq;
                int run = Math.Min(g.Wq - ow, count - t);
                int valid = oh < s.OH ? Math.Clamp(s.OW - ow, 0, run) : 0;
                VectorMath.Copy(data + (((long)image * s.K + k) * s.OH + oh) * s.OW + ow, dst + t, valid);
                for (int z = valid; z < run; z++) dst[t + z] = 0f;
                t += run;
            }
        }

        /// <summary>dst[t] = data[n, c, p] for q0 + t = n·plane + p, t in [0, length).</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        internal static void CopyPlaneRow(float* data, int channels, int plane, int c, int q0, int length, float* dst)
        {
            for (int t = 0; t < length;)
            {
                int q = q0 + t, n = q / plane, p = q - n * plane;
                int run = Math.Min(plane - p, length - t);
                VectorMath.Copy(data + ((long)n * channels + c) * plane + p, dst + t, run);
                t += run;
            }
        }
    }

    /// <summary>The phase grid of the whole batch and its patch-row offsets: in <paramref name="reserve"/> when given
    /// (built there, or already built by the forward when <paramref name="build"/> is false), else in the calling
    /// participant's scratch.</summary>
    private static PhaseGrid WholeBatchGridOf(in ConvShape s, int n, float* x, int worker, float* reserve, bool build,
        out float* cells, out int* offsets)
    {
        var grid = new PhaseGrid(s, n);
        cells = reserve != null ? reserve : WholeBatchGrid[worker].Get(grid.Size(s));
        if (build) grid.Build(s, x, cells);
        offsets = (int*)WholeBatchOffsets[worker].Get(s.Patch);
        grid.Offsets(s, offsets);
        return grid;
    }

    /// <summary>Row r of the lowered matrix of the whole batch, one row per index (a batch too large for a phase grid).</summary>
    private sealed class LowerRowsJob(ConvShape s, float* x, int total, float* lowered) : IParallelBody
    {
        public void Execute(int r, int worker) => Im2Col.LowerBatchRow(s, x, r, 0, total, lowered + (long)r * total);
    }
}
