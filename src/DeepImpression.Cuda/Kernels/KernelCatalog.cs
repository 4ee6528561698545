using static DeepImpression.Cuda.Kernels.KernelParameterKind;

namespace DeepImpression.Cuda.Kernels;

/// <summary>
/// Every kernel the backend launches, with the parameter list it must have in its .cu file. A host-side test parses
/// kernels/*.cu and compares, so a mismatch is caught without a GPU.
/// </summary>
internal static class KernelCatalog
{
    /// <summary>Threads per block of the reduction kernels (REDUCE_THREADS in reductions.cu).</summary>
    public const int ReduceThreads = 256;

    public static readonly KernelSignature Add = new("elementwise", "di_add", [Pointer, Pointer, Pointer, Int]);
    public static readonly KernelSignature Axpby = new("elementwise", "di_axpby", [Float, Pointer, Float, Pointer, Int]);
    public static readonly KernelSignature Affine = new("elementwise", "di_affine", [Pointer, Float, Float, Pointer, Int]);
    public static readonly KernelSignature CopyBlocks = new("elementwise", "di_copy_blocks", [Pointer, Pointer, Int, Int, Int, Int, Int, Int]);

    public static readonly KernelSignature CopyWindows = new("windows", "di_copy_windows",
        [Pointer, Pointer, Pointer, Int, Int, Int, Int, Int, Int, Int, Int, Float]);

    public static readonly KernelSignature AdamUpdate = new("optimizers", "di_adam_update", [Pointer, Pointer, Pointer, Pointer, Float, Float, Float, Float, Int]);
    public static readonly KernelSignature SgdMomentumUpdate = new("optimizers", "di_sgd_momentum_update", [Pointer, Pointer, Pointer, Float, Float, Int]);

    public static readonly KernelSignature ReducePartial = new("reductions", "di_reduce_partial", [Pointer, Pointer, Int, Int, Pointer]);
    public static readonly KernelSignature ReduceFinish = new("reductions", "di_reduce_finish", [Pointer, Int, KernelParameterKind.Double, Pointer]);
    public static readonly KernelSignature SumAxis = new("reductions", "di_sum_axis", [Pointer, Pointer, Int, Int, Int]);
    public static readonly KernelSignature MaeBackward = new("reductions", "di_mae_backward", [Pointer, Pointer, Pointer, Pointer, Int]);

    private static readonly KernelParameterKind[] PoolingForwardParameters = [Pointer, Pointer, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int];
    public static readonly KernelSignature MaxPoolForward = new("pooling", "di_max_pool_forward", PoolingForwardParameters);
    public static readonly KernelSignature MaxPoolBackward = new("pooling", "di_max_pool_backward", [Pointer, .. PoolingForwardParameters]);
    public static readonly KernelSignature AveragePoolForward = new("pooling", "di_average_pool_forward", PoolingForwardParameters);
    public static readonly KernelSignature AveragePoolBackward = new("pooling", "di_average_pool_backward", PoolingForwardParameters);

    public static IReadOnlyList<KernelSignature> All { get; } =
    [
        Add, Axpby, Affine, CopyBlocks, AdamUpdate, SgdMomentumUpdate, ReducePartial, ReduceFinish, SumAxis, MaeBackward,
        MaxPoolForward, MaxPoolBackward, AveragePoolForward, AveragePoolBackward, CopyWindows,
    ];
}
