namespace DeepImpression.Cuda;

/// <summary>
/// A CUDA, NVRTC, cuBLAS or cuDNN call returned an error status. The message names the call and the status as the
/// library spells it, e.g. <c>cuMemAlloc_v2 failed: CUDA_ERROR_OUT_OF_MEMORY (out of memory)</c>.
/// </summary>
public sealed class CudaException : Exception
{
    internal CudaException(string call, int status, string statusText, string? detail = null)
        : base($"{call} failed: {statusText}{(string.IsNullOrEmpty(detail) ? "" : Environment.NewLine + detail)}")
    {
        Call = call;
        Status = status;
        StatusText = statusText;
    }

    /// <summary>The library function that failed, by its exported name.</summary>
    public string Call { get; }

    /// <summary>The numeric status code it returned.</summary>
    public int Status { get; }

    /// <summary>The status as the library names it, with its description.</summary>
    public string StatusText { get; }
}
