using System.Diagnostics;
using DeepImpression.Core.Backends;
using DeepImpression.Core.Tensors;
using DeepImpression.Cuda.Dnn;
using DeepImpression.Cuda.Interop;

namespace DeepImpression.Cuda;

// Convolutions through cuDNN. The algorithm for each shape and direction is chosen once per process from one
// cudnnFind*AlgorithmEx search (ConvolutionPlan, by ConvolutionPolicy), its workspace confirmed with
// cudnnGet*WorkspaceSize in the math type it will run in; all calls share one growing workspace, and the searches'
// scratch memory comes from the caching allocator and goes back to it.
public sealed unsafe partial class CudaBackend
{
    /// <summary>One of cudnnFind*AlgorithmEx with its data pointers bound: descriptors (x, w, convolution, y) in,
    /// up to <paramref name="requested"/> results out.</summary>
    private delegate int FindAlgorithms(nint x, nint w, nint convolution, nint y, int requested, out int returned,
        CuDnnAlgorithmPerformance* results, ulong workspace, nuint workspaceBytes);

    /// <summary>One of cudnnGet*WorkspaceSize: the workspace an algorithm needs for the described shapes.</summary>
    private delegate int WorkspaceSize(nint x, nint w, nint convolution, nint y, int algorithm, out nuint bytes);

    /// <summary>cuDNN's convolutions keep nothing between forward and backward: no reserve.</summary>
    public long ConvolutionReserveSize(Shape x, Shape w, ConvolutionGeometry geometry) => 0;

    /// <inheritdoc />
    public void ConvolutionForward(Tensor x, Tensor w, Tensor? bias, Tensor y, ConvolutionGeometry geometry, Tensor? reserve = null)
    {
        if (y.Count == 0) return;
        var key = Key(ConvolutionDirection.Forward, x, w, geometry);
        ulong px = Address(x), pw = Address(w), py = Address(y);
        var choice = Choose(key,
            (xd, wd, cd, yd, requested, out returned, results, ws, bytes) =>
                CuDnn.cudnnFindConvolutionForwardAlgorithmEx(_cudnn.Value, xd, px, wd, pw, cd, yd, py, requested, out returned, results, ws, bytes),
            (xd, wd, cd, yd, algorithm, out bytes) => CuDnn.cudnnGetConvolutionForwardWorkspaceSize(_cudnn.Value, xd, wd, cd, yd, algorithm, out bytes));
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

    /// <inheritdoc />
    public void ConvolutionBackwardData(Tensor w, Tensor dy, Tensor dx, ConvolutionGeometry geometry)
    {
        if (dx.Count == 0) return;
        var key = Key(ConvolutionDirection.BackwardData, dx, w, geometry);
        ulong pw = Address(w), pdy = Address(dy), pdx = Address(dx);
        var choice = Choose(key,
            (xd, wd, cd, yd, requested, out returned, results, ws, bytes) =>
                CuDnn.cudnnFindConvolutionBackwardDataAlgorithmEx(_cudnn.Value, wd, pw, yd, pdy, cd, xd, pdx, requested, out returned, results, ws, bytes),
            (xd, wd, cd, yd, algorithm, out bytes) => CuDnn.cudnnGetConvolutionBackwardDataWorkspaceSize(_cudnn.Value, wd, yd, cd, xd, algorithm, out bytes));
        var (xDesc, wDesc, convDesc, yDesc) = Describe(key, choice.MathType);
        ulong workspace = _workspace.Ensure(choice.WorkspaceBytes);
        float one = 1f, zero = 0f;
        CuDnn.Check(CuDnn.cudnnConvolutionBackwardData(_cudnn.Value, &one, wDesc, pw, yDesc, pdy, convDesc, choice.Algorithm,
            workspace, (nuint)choice.WorkspaceBytes, &zero, xDesc, pdx), "cudnnConvolutionBackwardData");
    }

    /// <inheritdoc />
    public void ConvolutionBackwardFilter(Tensor x, Tensor dy, Tensor dw, ConvolutionGeometry geometry, Tensor? reserve = null)
    {
        if (dw.Count == 0) return;
        var key = Key(ConvolutionDirection.BackwardFilter, x, dw, geometry);
        ulong px = Address(x), pdy = Address(dy), pdw = Address(dw);
        var choice = Choose(key,
            (xd, wd, cd, yd, requested, out returned, results, ws, bytes) =>
                CuDnn.cudnnFindConvolutionBackwardFilterAlgorithmEx(_cudnn.Value, xd, px, yd, pdy, cd, wd, pdw, requested, out returned, results, ws, bytes),
            (xd, wd, cd, yd, algorithm, out bytes) => CuDnn.cudnnGetConvolutionBackwardFilterWorkspaceSize(_cudnn.Value, xd, yd, cd, wd, algorithm, out bytes));
        var (xDesc, wDesc, convDesc, yDesc) = Describe(key, choice.MathType);
        ulong workspace = _workspace.Ensure(choice.WorkspaceBytes);
        float one = 1f, zero = 0f;
        CuDnn.Check(CuDnn.cudnnConvolutionBackwardFilter(_cudnn.Value, &one, xDesc, px, yDesc, pdy, convDesc, choice.Algorithm,
            workspace, (nuint)choice.WorkspaceBytes, &zero, wDesc, pdw), "cudnnConvolutionBackwardFilter");
    }

    /// <inheritdoc />
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

    /// <summary>The plan's choice for <paramref name="key"/>: searched with <paramref name="find"/> when the shape is
    /// new, or reused from another batch size of it with the workspace <paramref name="size"/> reports.</summary>
    private ConvolutionChoice Choose(ConvolutionKey key, FindAlgorithms find, WorkspaceSize size) =>
        _plan.Resolve(key, k => Search(k, find, size), (k, reused) =>
        {
            var (xd, wd, cd, yd) = Describe(k, reused.MathType);
            return size(xd, wd, cd, yd, reused.Algorithm, out var bytes) == 0 && (long)bytes <= Options.WorkspaceLimitBytes ? (long)bytes : null;
        });

    /// <summary>One cudnnFind*AlgorithmEx over scratch memory from the caching allocator (cached again afterwards,
    /// so later searches allocate nothing), the policy's choice, and its workspace confirmed in the math type it
    /// will run in.</summary>
    private ConvolutionPlanEntry Search(ConvolutionKey key, FindAlgorithms find, WorkspaceSize size)
    {
        var clock = Stopwatch.StartNew();
        var (xd, wd, cd, yd) = Describe(key, key.AllowTf32 ? CuDnnMathType.Default : CuDnnMathType.Fma);
        long limit = WorkspacePolicy.SearchLimit(Options.WorkspaceLimitBytes, _context.MemoryInfo().Free + _allocator.CachedBytes);
        var scratch = limit > 0 ? _allocator.Rent(limit) : (Memory.DeviceBlock?)null;
        var candidates = new List<ConvolutionCandidate>();
        try
        {
            var results = stackalloc CuDnnAlgorithmPerformance[ConvolutionAlgorithmCatalog.MaxCandidates];
            CuDnn.Check(find(xd, wd, cd, yd, ConvolutionAlgorithmCatalog.MaxCandidates, out var returned, results,
                scratch?.Address ?? 0, (nuint)limit), $"cudnnFindConvolution{key.Direction}AlgorithmEx");
            for (int i = 0; i < returned; i++) candidates.Add(ConvolutionCandidate.From(results[i]));
        }
        finally
        {
            // Safe at once: the next user of the block queues behind the search on the same stream.
            if (scratch is { } block) _allocator.Return(block);
        }
        var (choice, rule) = _policy.Choose(key.Direction, candidates, limit, $"convolution {key}");
        CuDnn.Check(CuDnn.cudnnSetConvolutionMathType(cd, choice.MathType), "cudnnSetConvolutionMathType");
        CuDnn.Check(size(xd, wd, cd, yd, choice.Algorithm, out var bytes), $"cudnnGetConvolution{key.Direction}WorkspaceSize");
        choice = choice with { WorkspaceBytes = Math.Max(choice.WorkspaceBytes, (long)bytes) };
        return new ConvolutionPlanEntry(key, candidates, choice, rule, limit, clock.Elapsed.TotalMilliseconds);
    }

    private ConvolutionKey Key(ConvolutionDirection direction, Tensor input, Tensor filter, ConvolutionGeometry geometry) =>
        new(direction, TensorDescriptorShape.FeatureMap(input.Shape), TensorDescriptorShape.FeatureMap(filter.Shape), geometry, Options.AllowTf32);

    /// <summary>Descriptors for x (slot 0), w, the convolution and y (slot 1).</summary>
    private (nint X, nint W, nint Convolution, nint Y) Describe(ConvolutionKey key, CuDnnMathType mathType) =>
        (_descriptors.Tensor(0, key.Input), _descriptors.Filter(key.Filter), _descriptors.Convolution(key.Geometry, mathType),
         _descriptors.Tensor(1, key.Output));
}
