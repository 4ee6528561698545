using System.Runtime.CompilerServices;
using DeepImpression.Core.Backends.Cpu.Kernels;

namespace DeepImpression.Core.Backends.Cpu.Convolution;

/// <summary>
/// <see cref="DataGradientAlgorithm.LoweredScatter"/>: dlowered (C·kh·kw x Q) = Wᵀ · dy, added back onto dx (col2im)
/// image by image, for strided convolutions (whose input gradient is no plain convolution). A piece is a group of
/// whole images: windows of one image overlap in dx, so an image is never shared between cores.
/// </summary>
internal static unsafe class LoweredScatterDataGradient
{

    private static int DivUp(int a, int b) => (a + b - 1) / b;
    private static int RoundUp(int a, int multiple) => DivUp(a, multiple) * multiple;

    public static void BackwardData(CpuContext context, in ConvShape s, int n, float* w, float* dy, float* dx, int worker)
    {
        // Wᵀ: (C·kh·kw) x K, packed once.
        var filterT = context.Gemm.Pack(StridedSource.ForA(context.Isa, MatrixView.Transposed(w, s.Patch), 1f), s.Patch, s.K,
            context.Scratch(ConvolutionScratch.PackedFilter, worker).Get(Sgemm.PackedSize(context.Isa, s.Patch, s.K)));
        var job = new Job(context, s, n, filterT, new BatchedPlanesSource(dy, s.K, s.OutputPlane, 0), dx);
        BatchedProduct.RunPieces(context, job, job.Pieces);
    }

    private sealed class Job : IParallelBody, ISplittable
    {
        private readonly CpuContext _context;
        private readonly ConvShape _s;
        private readonly int _n, _imagesPerPiece, _chunk;
        private readonly PackedA _filterT;
        private readonly BatchedPlanesSource _gradient;
        private readonly float* _dx;

        public Job(CpuContext context, ConvShape s, int n, PackedA filterT, BatchedPlanesSource gradient, float* dx)
        {
            (_context, _s, _n, _filterT, _gradient) = (context, s, n, filterT, gradient);
            _dx = dx;
            // Lowered gradient columns per GEMM: about 1 MiB of scratch.
            int columns = Math.Max(4 * Sgemm.ColumnTile(filterT.Level), (256 * 1024) / Math.Max(1, s.Patch));
            _imagesPerPiece = s.OutputPlane >= columns ? 1 : BatchedProduct.ImagesPerPiece(columns / s.OutputPlane, n, context.Workers.Count);
            _chunk = s.OutputPlane >= columns ? RoundUp(DivUp(s.OutputPlane, DivUp(s.OutputPlane, columns)), Sgemm.ColumnTile(filterT.Level)) : s.OutputPlane;
            Pieces = DivUp(n, _imagesPerPiece);
        }

        public int Pieces { get; }

        public bool Parallel { get; set; }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Execute(int piece, int worker)
        {
            var s = _s;
            var level = _context.Isa;
            int plane = s.OutputPlane;
            int first = piece * _imagesPerPiece;
            int images = Math.Min(_imagesPerPiece, _n - first);
            new Span<float>(Dx(first), images * s.C * s.InputPlane).Clear();
            if (images > 1 || _chunk >= plane)
            {
                int count = images * plane;
                float* dcol = _context.Scratch(ConvolutionScratch.Product, worker).Get((long)s.Patch * count);
                _context.Gemm.MultiplyPacked(_filterT, _gradient.From(first * plane), count, 0f, dcol, count, Parallel);
                for (int g = 0; g < images; g++) Im2Col.Raise(level, s, dcol + g * plane, count, 0, plane, Dx(first + g));
                return;
            }
            for (int p0 = 0; p0 < plane; p0 += _chunk)
            {
                int count = Math.Min(_chunk, plane - p0);
                float* dcol = _context.Scratch(ConvolutionScratch.Product, worker).Get((long)s.Patch * count);
                _context.Gemm.MultiplyPacked(_filterT, _gradient.From(first * plane + p0), count, 0f, dcol, count, Parallel);
                Im2Col.Raise(level, s, dcol, count, p0, count, Dx(first));
            }
        }

        private float* Dx(int image) => _dx + (long)image * _s.C * _s.InputPlane;
    }
}
