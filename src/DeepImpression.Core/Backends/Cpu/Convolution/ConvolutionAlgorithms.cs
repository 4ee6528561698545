namespace DeepImpression.Core.Backends.Cpu.Convolution;

/// <summary>How the CPU backend computes a convolution's output (cuDNN's <c>cudnnConvolutionFwdAlgo_t</c>). Each
/// value is one file under <c>Backends/Cpu/Convolution/</c>; <see cref="ConvolutionPlanner"/> picks one per shape.</summary>
public enum ForwardAlgorithm
{
    /// <summary>Plain nested loops, accumulated in double (<c>ReferenceConvolution</c>): the yardstick, never fast.</summary>
    Reference,

    /// <summary>A 1x1, stride-1 convolution: one product of the filter with the input planes as they are.</summary>
    Pointwise,

    /// <summary>One product over the batch, its B panels lowered (im2col) straight from the input, in pieces.</summary>
    Lowered,

    /// <summary>A small batch of small maps: one product over the whole batch, its B panels copied out of the
    /// batch's phase grid (the input padded and split by stride).</summary>
    WholeBatchPhaseGrid,

    /// <summary>As <see cref="WholeBatchPhaseGrid"/>, for a batch too large to address its grid: panels lowered.</summary>
    WholeBatchLowered,

    /// <summary>AVX-512: the micro-kernel reads B in place from the phase grid, nothing lowered or packed.</summary>
    Indirect,

    /// <summary>Winograd's minimal filtering: F(4x4, 3x3) for 3x3 stride-1 kernels, and for 1x9 stride-1 kernels a
    /// nested F(3, 3) x F(4, 3) over twelve outputs; 36 (30) products per tile instead of 144 (108).</summary>
    Winograd,
}

/// <summary>How the CPU backend computes a convolution's input gradient (<c>cudnnConvolutionBwdDataAlgo_t</c>).</summary>
public enum DataGradientAlgorithm
{
    /// <summary>Plain nested loops, accumulated in double.</summary>
    Reference,

    /// <summary>A 1x1, stride-1 convolution: Wᵀ·dy as one product over the batch's planes.</summary>
    PointwiseTransposed,

    /// <summary>The lowered gradient Wᵀ·dy, added back onto dx (col2im): strided convolutions.</summary>
    LoweredScatter,

    /// <summary>A stride-1 convolution's input gradient is the forward convolution of dy with the filter turned 180°
    /// and its channel axes swapped; these run that forward with the forward algorithm of the same name.</summary>
    TransposedIndirect,

    /// <inheritdoc cref="TransposedIndirect"/>
    TransposedLowered,

    /// <inheritdoc cref="TransposedIndirect"/>
    TransposedWholeBatchPhaseGrid,

    /// <inheritdoc cref="TransposedIndirect"/>
    TransposedWholeBatchLowered,

    /// <summary>The transposed convolution (see <see cref="TransposedIndirect"/>) by Winograd's algorithm.</summary>
    Winograd,
}

/// <summary>How the CPU backend computes a convolution's filter gradient (<c>cudnnConvolutionBwdFilterAlgo_t</c>).</summary>
public enum FilterGradientAlgorithm
{
    /// <summary>Plain nested loops, accumulated in double.</summary>
    Reference,

    /// <summary>dW = dy · loweredᵀ as register-tiled dot products along the output positions, the lowered rows
    /// lowered into L1 piece by piece; partial sums in a fixed number of groups.</summary>
    DotsOverLoweredRows,

    /// <summary>As <see cref="DotsOverLoweredRows"/>, the lowered rows copied out of the batch's phase grid.</summary>
    DotsOverPhaseGrid,

    /// <summary>dW = dy · loweredᵀ as one GEMM over every position, loweredᵀ packed straight from the phase grid:
    /// few positions and many filters (the deepest layers at small batches).</summary>
    GemmOverPhaseGrid,

    /// <summary>As <see cref="GemmOverPhaseGrid"/>, for a batch too large to address its grid: rows lowered.</summary>
    GemmOverLoweredRows,

    /// <summary>By Winograd's transforms with the roles of filter and output turned: one GEMM per transformed position
    /// over every tile of the batch, 36 (30) multiplications per tile and filter element instead of 144 (108).</summary>
    Winograd,
}

/// <summary>What a backend's options may force on every convolution instead of the planner's choice.</summary>
public enum ConvolutionOverride
{
    /// <summary>The planner's choice (the fastest algorithms for the shape).</summary>
    None,

    /// <summary>The planner's choice among the algorithms that sum the products of the definition directly (no
    /// Winograd transform): the numbers of the direct convolution, at its speed.</summary>
    Direct,

    /// <summary>The plain-loop reference for every direction: any result can be checked against it in place.</summary>
    Reference,
}
