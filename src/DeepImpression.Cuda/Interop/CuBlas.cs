using System.Runtime.InteropServices;

namespace DeepImpression.Cuda.Interop;

/// <summary>cublasOperation_t.</summary>
internal enum CuBlasOperation
{
    None = 0,
    Transpose = 1,
}

/// <summary>cublasMath_t: DEFAULT keeps SGEMM in full FP32; TF32_TENSOR_OP lets it round inputs to TF32.</summary>
internal enum CuBlasMath
{
    Default = 0,
    Pedantic = 2,
    Tf32TensorOp = 3,
}

/// <summary>
/// cuBLAS (libcublas.so.13/12/11) through the v2 API's exported symbols (<c>cublasCreate_v2</c>,
/// <c>cublasSgemm_v2</c>, ...), as declared in cublas_api.h of CUDA 12.6 and 13.0. Column-major: the backend
/// maps its row-major products by swapping the operands (see <c>GemmMapping</c>).
/// </summary>
internal static unsafe partial class CuBlas
{
    private const string Lib = "cublas";

    /// <summary>libraryPropertyType (library_types.h).</summary>
    public const int MajorVersion = 0, MinorVersion = 1, PatchLevel = 2;

    static CuBlas() => CudaLibraries.InstallResolver();

    [LibraryImport(Lib, EntryPoint = "cublasCreate_v2")] internal static partial int cublasCreate(out nint handle);
    [LibraryImport(Lib, EntryPoint = "cublasDestroy_v2")] internal static partial int cublasDestroy(nint handle);
    [LibraryImport(Lib, EntryPoint = "cublasGetVersion_v2")] internal static partial int cublasGetVersion(nint handle, out int version);
    [LibraryImport(Lib, EntryPoint = "cublasGetProperty")] internal static partial int cublasGetProperty(int type, out int value);
    [LibraryImport(Lib, EntryPoint = "cublasSetStream_v2")] internal static partial int cublasSetStream(nint handle, nint stream);
    [LibraryImport(Lib, EntryPoint = "cublasSetMathMode")] internal static partial int cublasSetMathMode(nint handle, CuBlasMath mode);

    [LibraryImport(Lib, EntryPoint = "cublasSgemm_v2")]
    internal static partial int cublasSgemm(nint handle, CuBlasOperation transa, CuBlasOperation transb, int m, int n, int k,
        float* alpha, ulong a, int lda, ulong b, int ldb, float* beta, ulong c, int ldc);

    [LibraryImport(Lib, EntryPoint = "cublasSgemmStridedBatched")]
    internal static partial int cublasSgemmStridedBatched(nint handle, CuBlasOperation transa, CuBlasOperation transb, int m, int n, int k,
        float* alpha, ulong a, int lda, long strideA, ulong b, int ldb, long strideB, float* beta, ulong c, int ldc, long strideC, int batchCount);

    public static void Check(int status, string call)
    {
        if (status != 0) throw new CudaException(call, status, StatusName(status));
    }

    /// <summary>cublasStatus_t names; older cuBLAS 11 releases lack cublasGetStatusName, so the table lives here.</summary>
    public static string StatusName(int status) => status switch
    {
        0 => "CUBLAS_STATUS_SUCCESS",
        1 => "CUBLAS_STATUS_NOT_INITIALIZED",
        3 => "CUBLAS_STATUS_ALLOC_FAILED",
        7 => "CUBLAS_STATUS_INVALID_VALUE",
        8 => "CUBLAS_STATUS_ARCH_MISMATCH",
        11 => "CUBLAS_STATUS_MAPPING_ERROR",
        13 => "CUBLAS_STATUS_EXECUTION_FAILED",
        14 => "CUBLAS_STATUS_INTERNAL_ERROR",
        15 => "CUBLAS_STATUS_NOT_SUPPORTED",
        16 => "CUBLAS_STATUS_LICENSE_ERROR",
        _ => $"cublasStatus_t {status}",
    };

    /// <summary>"12.6.4" from cublasGetProperty, which needs no GPU.</summary>
    public static string Version()
    {
        Check(cublasGetProperty(MajorVersion, out var major), "cublasGetProperty");
        Check(cublasGetProperty(MinorVersion, out var minor), "cublasGetProperty");
        Check(cublasGetProperty(PatchLevel, out var patch), "cublasGetProperty");
        return $"{major}.{minor}.{patch}";
    }
}
