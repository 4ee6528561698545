using System.Runtime.CompilerServices;
using DeepImpression.Core.Backends.Cpu.Kernels;

namespace DeepImpression.Core.Backends.Cpu.Convolution;

/// <summary>
/// out[n, i, p] = epilogue(Σ_d a[i, d]·b[d, q]) for q = n·plane + p over the batch: a product whose output is a batch of
/// (a.M, plane) stacks, the body of <see cref="ForwardAlgorithm.Pointwise"/>, <see cref="ForwardAlgorithm.Lowered"/>
/// and <see cref="DataGradientAlgorithm.PointwiseTransposed"/>. A piece is a column range inside one image (stored in
/// place) or, for small planes, a group of whole images (computed into scratch, then spread over the images); the
/// cores take pieces one at a time.
/// </summary>
internal static unsafe class BatchedProduct
{
    /// <summary>Pieces per core to aim for, so that a core slowed by other work takes fewer.</summary>
    private const int PiecesPerWorker = 8;

    /// <summary>Output positions (over the whole batch) up to which the product is one, split by the GEMM itself.</summary>
    internal const int SmallProduct = 2048;

    private static int DivUp(int a, int b) => (a + b - 1) / b;
    private static int RoundUp(int a, int multiple) => DivUp(a, multiple) * multiple;

    /// <summary>Whole images per piece: as many as fit, but few enough that every one of <paramref name="workers"/>
    /// gets about two pieces.</summary>
    internal static int ImagesPerPiece(int fit, int images, int workers) =>
        Math.Max(1, Math.Min(fit, DivUp(images, 2 * workers)));

    public static void Run<TB>(CpuContext context, PackedA a, TB b, int n, int plane, float* output, ConvolutionEpilogue epilogue)
        where TB : struct, IPanelSource, IColumnRange<TB>
    {
        int nr = Sgemm.ColumnTile(a.Level), workers = context.Workers.Count;
        long total = (long)n * plane;
        int target = Math.Max(1, (int)Math.Min(int.MaxValue, DivUp((int)Math.Min(total, int.MaxValue), PiecesPerWorker * workers)));
        // Wide enough to amortise packing, narrow enough to balance; a multiple of the micro-tile width.
        int columns = Math.Clamp(RoundUp(target, nr), 4 * nr, 2048);
        var job = new Job<TB>(context, a, b, n, plane, output, epilogue, columns);
        RunPieces(context, job, job.Pieces);
    }

    private sealed class Job<TB> : IParallelBody, ISplittable where TB : struct, IPanelSource, IColumnRange<TB>
    {
        private readonly CpuContext _context;
        private readonly PackedA _a;
        private readonly TB _b;
        private readonly int _n, _plane, _columns, _perImage, _imagesPerPiece;
        private readonly float* _output;
        private readonly ConvolutionEpilogue _epilogue;

        public Job(CpuContext context, PackedA a, TB b, int n, int plane, float* output, ConvolutionEpilogue epilogue, int columns)
        {
            (_context, _a, _b, _n, _plane) = (context, a, b, n, plane);
            _output = output;
            _epilogue = epilogue;
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
                _imagesPerPiece = ImagesPerPiece(columns / plane, n, context.Workers.Count);
                Pieces = DivUp(n, _imagesPerPiece);
            }
        }

        public int Pieces { get; }

        public bool Parallel { get; set; }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Execute(int piece, int worker)
        {
            int m = _a.M;
            var level = _context.Isa;
            if (_imagesPerPiece == 0)
            {
                int image = piece / _perImage;
                int p0 = piece % _perImage * _columns;
                int count = Math.Min(_columns, _plane - p0);
                float* o = _output + (long)image * m * _plane + p0;
                _context.Gemm.MultiplyPacked(_a, _b.From(image * _plane + p0), count, 0f, o, _plane, Parallel);
                if (!_epilogue.IsIdentity)
                    for (int i = 0; i < m; i++) _epilogue.Store(level, o + (long)i * _plane, o + (long)i * _plane, count, i);
            }
            else
            {
                int first = piece * _imagesPerPiece;
                int images = Math.Min(_imagesPerPiece, _n - first);
                int count = images * _plane;
                float* tmp = _context.Scratch(ConvolutionScratch.Product, worker).Get((long)m * count);
                _context.Gemm.MultiplyPacked(_a, _b.From(first * _plane), count, 0f, tmp, count, Parallel);
                for (int g = 0; g < images; g++)
                    for (int i = 0; i < m; i++)
                        _epilogue.Store(level, tmp + (long)i * count + g * _plane, _output + ((long)(first + g) * m + i) * _plane, _plane, i);
            }
        }
    }

    /// <summary>Runs a piece job over the cores, or, with too few pieces to go round, the pieces in turn with each
    /// product split over the cores instead.</summary>
    internal static void RunPieces<TJob>(CpuContext context, TJob job, int pieces) where TJob : class, IParallelBody, ISplittable
    {
        if (pieces >= context.Workers.Count)
        {
            context.Workers.For(pieces, job);
        }
        else
        {
            job.Parallel = true;
            context.Workers.Serial(pieces, job);
        }
    }
}

/// <summary>A piece job that can instead split each piece's product over the cores.</summary>
internal interface ISplittable
{
    bool Parallel { set; }
}
