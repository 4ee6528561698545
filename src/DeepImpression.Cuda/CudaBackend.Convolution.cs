using DeepImpression.Core.Backends;
using DeepImpression.Core.Tensors;
using DeepImpression.Cuda.Dnn;
using DeepImpression.Cuda.Interop;
using DeepImpression.Cuda.Memory;

namespace DeepImpression.Cuda;

// Convolutions through cuDNN: the algorithm for each shape is searched once (cudnnFind*AlgorithmEx within the
// workspace limit), its workspace confirmed with cudnnGet*WorkspaceSize in the math type it will run in, and cached;
// all calls share one growing workspace.
public sealed unsafe partial class CudaBackend
{
    private const int AlgorithmCandidates = 8;  // CUDNN_CONVOLUTION_FWD_ALGO_COUNT, the largest of the three counts

    /// <summary>cuDNN's convolutions keep nothing between forward and backward: no reserve.</summary>
    public long ConvolutionReserveSize(Shape x, Shape w, ConvolutionGeometry geometry) => 0;

    public void ConvolutionForward(Tensor x, Tensor w, Tensor? bias, Tensor y, ConvolutionGeometry geometry, Tensor? reserve = null)
    {
        if (y.Count == 0) return;
        var key = Key(ConvolutionDirection.Forward, x, w, geometry);
        ulong px = Address(x), pw = Address(w), py = Address(y);
        var choice = _algorithms.GetOrFind(key, k =>
        {
            var (xd, wd, cd, yd) = Describe(k, k.AllowTf32 ? CuDnnMathType.Default : CuDnnMathType.Fma);
            using var search = SearchWorkspace();
            var (ws, limit) = (search.Address, search.Bytes);
            var results = stackalloc CuDnnAlgorithmPerformance[AlgorithmCandidates];
            CuDnn.Check(CuDnn.cudnnFindConvolutionForwardAlgorithmEx(_cudnn.Value, xd, px, wd, pw, cd, yd, py, AlgorithmCandidates,
                out var n, results, ws, (nuint)limit), "cudnnFindConvolutionForwardAlgorithmEx");
            var pick = ConvolutionChoice.Pick(new ReadOnlySpan<CuDnnAlgorithmPerformance>(results, n), limit, k.AllowTf32, $"convolution forward {k.Input} * {k.Filter}");
            CuDnn.Check(CuDnn.cudnnSetConvolutionMathType(cd, pick.MathType), "cudnnSetConvolutionMathType");
            CuDnn.Check(CuDnn.cudnnGetConvolutionForwardWorkspaceSize(_cudnn.Value, xd, wd, cd, yd, pick.Algorithm, out var bytes),
                "cudnnGetConvolutionForwardWorkspaceSize");
            return pick with { WorkspaceBytes = Math.Max(pick.WorkspaceBytes, (long)bytes) };
        });
        var (xDesc, wDesc, convDesc, yDesc) = Describe(key, choice.MathType);
        ulong workspace = _workspace.Ensure(choice.WorkspaceBytes);
        float one = 1f, zero = 0f;
        CuDnn.Check(CuDnn.cudnnConvolutionForward(_cudnn.Value, &one, xDesc, px, wDesc, pw, convDesc, choice.Algorithm,
            workspace, (nuint)choice.WorkspaceBytes, &zero, yDesc, py), "cudnnConvolutionForward");
        if (bias is not null) BiasAdd(y, bias);
    }

    /// <summary>The cuDNN calls in turn (convolution with the bias, the residual added, the ReLU): the same numbers as
    /// the training-graph ops; the test-time gain on the GPU is the folding of batch norm done by the caller.</summary>
    public void ConvolutionBiasActivationForward(Tensor x, Tensor w, Tensor bias, Tensor? z, bool relu, Tensor y, ConvolutionGeometry geometry)
    {
        ConvolutionForward(x, w, bias, y, geometry);
        if (z is not null) Add(y, z, y);
        if (relu) ActivationForward(ActivationMode.Relu, y, y);
    }

    public void ConvolutionBackwardData(Tensor w, Tensor dy, Tensor dx, ConvolutionGeometry geometry)
    {
        if (dx.Count == 0) return;
        var key = Key(ConvolutionDirection.BackwardData, dx, w, geometry);
        ulong pw = Address(w), pdy = Address(dy), pdx = Address(dx);
        var choice = _algorithms.GetOrFind(key, k =>
        {
            var (xd, wd, cd, yd) = Describe(k, k.AllowTf32 ? CuDnnMathType.Default : CuDnnMathType.Fma);
            using var search = SearchWorkspace();
            var (ws, limit) = (search.Address, search.Bytes);
            var results = stackalloc CuDnnAlgorithmPerformance[AlgorithmCandidates];
            CuDnn.Check(CuDnn.cudnnFindConvolutionBackwardDataAlgorithmEx(_cudnn.Value, wd, pw, yd, pdy, cd, xd, pdx, AlgorithmCandidates,
                out var n, results, ws, (nuint)limit), "cudnnFindConvolutionBackwardDataAlgorithmEx");
            var pick = ConvolutionChoice.Pick(new ReadOnlySpan<CuDnnAlgorithmPerformance>(results, n), limit, k.AllowTf32, $"convolution backward data {k.Input} * {k.Filter}");
            CuDnn.Check(CuDnn.cudnnSetConvolutionMathType(cd, pick.MathType), "cudnnSetConvolutionMathType");
            CuDnn.Check(CuDnn.cudnnGetConvolutionBackwardDataWorkspaceSize(_cudnn.Value, wd, yd, cd, xd, pick.Algorithm, out var bytes),
                "cudnnGetConvolutionBackwardDataWorkspaceSize");
            return pick with { WorkspaceBytes = Math.Max(pick.WorkspaceBytes, (long)bytes) };
        });
        var (xDesc, wDesc, convDesc, yDesc) = Describe(key, choice.MathType);
        ulong workspace = _workspace.Ensure(choice.WorkspaceBytes);
        float one = 1f, zero = 0f;
        CuDnn.Check(CuDnn.cudnnConvolutionBackwardData(_cudnn.Value, &one, wDesc, pw, yDesc, pdy, convDesc, choice.Algorithm,
            workspace, (nuint)choice.WorkspaceBytes, &zero, xDesc, pdx), "cudnnConvolutionBackwardData");
    }

    public void ConvolutionBackwardFilter(Tensor x, Tensor dy, Tensor dw, ConvolutionGeometry geometry, Tensor? reserve = null)
    {
        if (dw.Count == 0) return;
        var key = Key(ConvolutionDirection.BackwardFilter, x, dw, geometry);
        ulong px = Address(x), pdy = Address(dy), pdw = Address(dw);
        var choice = _algorithms.GetOrFind(key, k =>
        {
            var (xd, wd, cd, yd) = Describe(k, k.AllowTf32 ? CuDnnMathType.Default : CuDnnMathType.Fma);
            using var search = SearchWorkspace();
            var (ws, limit) = (search.Address, search.Bytes);
            var results = stackalloc CuDnnAlgorithmPerformance[AlgorithmCandidates];
            CuDnn.Check(CuDnn.cudnnFindConvolutionBackwardFilterAlgorithmEx(_cudnn.Value, xd, px, yd, pdy, cd, wd, pdw, AlgorithmCandidates,
                out var n, results, ws, (nuint)limit), "cudnnFindConvolutionBackwardFilterAlgorithmEx");
            var pick = ConvolutionChoice.Pick(new ReadOnlySpan<CuDnnAlgorithmPerformance>(results, n), limit, k.AllowTf32, $"convolution backward filter {k.Input} * {k.Filter}");
            CuDnn.Check(CuDnn.cudnnSetConvolutionMathType(cd, pick.MathType), "cudnnSetConvolutionMathType");
            CuDnn.Check(CuDnn.cudnnGetConvolutionBackwardFilterWorkspaceSize(_cudnn.Value, xd, yd, cd, wd, pick.Algorithm, out var bytes),
                "cudnnGetConvolutionBackwardFilterWorkspaceSize");
            return pick with { WorkspaceBytes = Math.Max(pick.WorkspaceBytes, (long)bytes) };
        });
        var (xDesc, wDesc, convDesc, yDesc) = Describe(key, choice.MathType);
        ulong workspace = _workspace.Ensure(choice.WorkspaceBytes);
        float one = 1f, zero = 0f;
        CuDnn.Check(CuDnn.cudnnConvolutionBackwardFilter(_cudnn.Value, &one, xDesc, px, yDesc, pdy, convDesc, choice.Algorithm,
            workspace, (nuint)choice.WorkspaceBytes, &zero, wDesc, pdw), "cudnnConvolutionBackwardFilter");
    }

    public void ConvolutionBackwardBias(Tensor dy, Tensor db)
    {
        if (db.Count == 0) return;
        var dyShape = TensorDescriptorShape.FeatureMap(dy.Shape);
        float one = 1f, zero = 0f;
        ulong pdy = Address(dy), pdb = Address(db);
        CuDnn.Check(CuDnn.cudnnConvolutionBackwardBias(_cudnn.Value, &one, _descriptors.Tensor(0, dyShape), pdy, &zero,
            _descriptors.Tensor(1, TensorDescriptorShape.PerChannel(dyShape.C)), pdb), "cudnnConvolutionBackwardBias");
    }

    /// <summary>y[n,c,...] += bias[c]: cudnnAddTensor with C = 1·A + 1·C, A broadcast from (1,C,1,1).</summary>
    public void BiasAdd(Tensor y, Tensor bias)
    {
        if (y.Count == 0) return;
        var yShape = TensorDescriptorShape.FeatureMap(y.Shape);
        float one = 1f;
        ulong pb = Address(bias), py = Address(y);
        CuDnn.Check(CuDnn.cudnnAddTensor(_cudnn.Value, &one, _descriptors.Tensor(1, TensorDescriptorShape.PerChannel(yShape.C)), pb,
            &one, _descriptors.Tensor(0, yShape), py), "cudnnAddTensor");
    }

    private ConvolutionKey Key(ConvolutionDirection direction, Tensor input, Tensor filter, ConvolutionGeometry geometry) =>
        new(direction, TensorDescriptorShape.FeatureMap(input.Shape), TensorDescriptorShape.FeatureMap(filter.Shape), geometry, Options.AllowTf32);

    /// <summary>Descriptors for x (slot 0), w, the convolution and y (slot 1).</summary>
    private (nint X, nint W, nint Convolution, nint Y) Describe(ConvolutionKey key, CuDnnMathType mathType) =>
        (_descriptors.Tensor(0, key.Input), _descriptors.Filter(key.Filter), _descriptors.Convolution(key.Geometry, mathType),
         _descriptors.Tensor(1, key.Output));

    /// <summary>Scratch memory for one algorithm search, as large as the limit allows now; given straight back to
    /// the driver afterwards, since only the chosen algorithm's (smaller) workspace is needed from then on.</summary>
    private SearchScratch SearchWorkspace()
    {
        long limit = WorkspacePolicy.SearchLimit(Options.WorkspaceLimitBytes, _context.MemoryInfo().Free + _allocator.CachedBytes);
        return limit == 0 ? new SearchScratch(_allocator, null) : new SearchScratch(_allocator, _allocator.Rent(limit));
    }

    private readonly struct SearchScratch(CachingAllocator allocator, DeviceBlock? block) : IDisposable
    {
        public ulong Address => block?.Address ?? 0;
        public long Bytes => block?.Bytes ?? 0;
        public void Dispose()
        {
            if (block is { } b) allocator.ReturnToSource(b);
        }
    }
}
