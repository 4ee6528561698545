namespace DeepImpression.Core.Backends.Cpu.Kernels;

/// <summary>
/// Convolution lowered to the packed GEMM. Work is cut into (image, range of output positions) pieces: each piece
/// lowers only its own columns into its worker's scratch (so the lowered block stays in cache), and the pieces
/// are spread over the cores. With fewer pieces than cores, the pieces run one after another and the GEMM inside
/// each is split instead. A 1x1, stride-1, unpadded convolution multiplies the input in place, with no lowering.
/// </summary>
internal static unsafe class ConvolutionKernels
{
    /// <summary>Floats of lowered matrix a piece aims for: about 768 KiB, inside one core's L2.</summary>
    private const int PieceFloats = 192 * 1024;

    private static readonly PerWorkerScratch Lowered = new();
    private static readonly PerWorkerScratch FilterPartials = new();

    /// <summary>Output positions per piece for a lowered matrix of <paramref name="patch"/> rows.</summary>
    private static int PieceColumns(int patch, int plane) =>
        Math.Min(plane, Math.Max(96, PieceFloats / Math.Max(1, patch) / 48 * 48));

    public static void Forward(in ConvShape s, int n, float* x, float* w, float* bias, float* y)
    {
        int columns = PieceColumns(s.Patch, s.OutputPlane);
        int perImage = (s.OutputPlane + columns - 1) / columns;
        var job = new ForwardJob { S = s, X = x, W = w, Bias = bias, Y = y, Columns = columns, PerImage = perImage };
        RunPieces(job, n * perImage);
    }

    public static void BackwardData(in ConvShape s, int n, float* w, float* dy, float* dx)
    {
        int columns = PieceColumns(s.Patch, s.OutputPlane);
        var job = new BackwardDataJob { S = s, W = w, Dy = dy, Dx = dx, Columns = columns };
        // Windows of neighbouring output positions overlap in dx, so one image is one piece.
        RunPieces(job, n);
    }

    public static void BackwardFilter(in ConvShape s, int n, float* x, float* dy, float* dw)
    {
        int columns = PieceColumns(s.Patch, s.OutputPlane);
        int perImage = (s.OutputPlane + columns - 1) / columns;
        int pieces = n * perImage;
        long filter = (long)s.K * s.Patch;
        if (pieces == 0)
        {
            new Span<float>(dw, (int)filter).Clear();
            return;
        }
        // Each slot sums a fixed, contiguous range of pieces into its own partial, and the partials are added in
        // slot order: the result does not depend on which thread ran what, so training is repeatable to the bit.
        int slots = Math.Min(CpuWorkers.Count, pieces);
        var job = new BackwardFilterJob { S = s, X = x, Dy = dy, Columns = columns, PerImage = perImage, Pieces = pieces, Slots = slots };
        if (slots > 1) CpuWorkers.For(slots, job);
        else CpuWorkers.Serial(1, job);
        new ReadOnlySpan<float>(FilterPartials[0].Get(filter), (int)filter).CopyTo(new Span<float>(dw, (int)filter));
        for (int slot = 1; slot < slots; slot++) VectorMath.AddInPlace(FilterPartials[slot].Get(filter), dw, (int)filter);
    }

    private static void RunPieces<TJob>(TJob job, int pieces) where TJob : class, IParallelBody
    {
        if (pieces >= CpuWorkers.Count) CpuWorkers.For(pieces, job);
        else CpuWorkers.Serial(pieces, job);
    }

    private sealed class ForwardJob : IParallelBody
    {
        public ConvShape S;
        public float* X, W, Bias, Y;
        public int Columns, PerImage;

        public void Execute(int piece, int worker)
        {
            int image = piece / PerImage;
            int p0 = piece % PerImage * Columns;
            int count = Math.Min(Columns, S.OutputPlane - p0);
            float* x = X + (long)image * S.C * S.InputPlane;
            float* y = Y + (long)image * S.K * S.OutputPlane + p0;
            MatrixView lowered;
            if (S.IsPointwise)
            {
                lowered = new MatrixView(x + p0, S.InputPlane, 1);
            }
            else
            {
                float* col = Lowered[worker].Get((long)S.Patch * count);
                Im2Col.Lower(S, x, p0, count, col);
                lowered = MatrixView.RowMajor(col, count);
            }
            Sgemm.Multiply(S.K, count, S.Patch, 1f, MatrixView.RowMajor(W, S.Patch), lowered, 0f, y, S.OutputPlane);
            if (Bias != null)
                for (int k = 0; k < S.K; k++)
                {
                    float* row = y + (long)k * S.OutputPlane;
                    VectorMath.ScaleShift(row, row, count, 1f, Bias[k]);
                }
        }
    }

    private sealed class BackwardDataJob : IParallelBody
    {
        public ConvShape S;
        public float* W, Dy, Dx;
        public int Columns;

        public void Execute(int image, int worker)
        {
            float* dy = Dy + (long)image * S.K * S.OutputPlane;
            float* dx = Dx + (long)image * S.C * S.InputPlane;
            // op(A) = Wᵀ, (C·kh·kw) x K.
            var filterT = MatrixView.Transposed(W, S.Patch);
            if (S.IsPointwise)
            {
                Sgemm.Multiply(S.Patch, S.OutputPlane, S.K, 1f, filterT, MatrixView.RowMajor(dy, S.OutputPlane), 0f, dx, S.InputPlane);
                return;
            }
            new Span<float>(dx, S.C * S.InputPlane).Clear();
            for (int p0 = 0; p0 < S.OutputPlane; p0 += Columns)
            {
                int count = Math.Min(Columns, S.OutputPlane - p0);
                float* dcol = Lowered[worker].Get((long)S.Patch * count);
                Sgemm.Multiply(S.Patch, count, S.K, 1f, filterT, new MatrixView(dy + p0, S.OutputPlane, 1), 0f, dcol, count);
                Im2Col.Raise(S, dcol, p0, count, dx);
            }
        }
    }

    private sealed class BackwardFilterJob : IParallelBody
    {
        public ConvShape S;
        public float* X, Dy;
        public int Columns, PerImage, Pieces, Slots;

        public void Execute(int slot, int worker)
        {
            float* partial = FilterPartials[slot].Get((long)S.K * S.Patch);
            int first = (int)((long)slot * Pieces / Slots), last = (int)((long)(slot + 1) * Pieces / Slots);
            for (int piece = first; piece < last; piece++)
            {
                int image = piece / PerImage;
                int p0 = piece % PerImage * Columns;
                int count = Math.Min(Columns, S.OutputPlane - p0);
                float* x = X + (long)image * S.C * S.InputPlane;
                float* dy = Dy + (long)image * S.K * S.OutputPlane + p0;
                // op(B) = (lowered columns)ᵀ, count x (C·kh·kw): both operands run along the output positions.
                MatrixView loweredT;
                if (S.IsPointwise)
                {
                    loweredT = new MatrixView(x + p0, 1, S.InputPlane);
                }
                else
                {
                    float* col = Lowered[worker].Get((long)S.Patch * count);
                    Im2Col.Lower(S, x, p0, count, col);
                    loweredT = MatrixView.Transposed(col, count);
                }
                Sgemm.Multiply(S.K, S.Patch, count, 1f, new MatrixView(dy, S.OutputPlane, 1), loweredT, piece == first ? 0f : 1f, partial, S.Patch);
            }
        }
    }
}
