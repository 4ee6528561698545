namespace DeepImpression.Cuda.Dnn;

/// <summary>How much scratch memory convolutions may use.</summary>
internal static class WorkspacePolicy
{
    public const long Granularity = 1L << 20;

    /// <summary>The workspace cuDNN's Find may try algorithms with: the configured limit, but never more than half
    /// of the device memory free now (the rest is for the tensors), rounded down to whole MiB.</summary>
    public static long SearchLimit(long configuredLimit, long freeDeviceBytes)
    {
        long limit = Math.Min(configuredLimit, Math.Max(0, freeDeviceBytes) / 2);
        return limit / Granularity * Granularity;
    }

    /// <summary>The size to grow a workspace to for a request: whole MiB, so that nearby requests share one size.</summary>
    public static long GrowTo(long requestedBytes) =>
        requestedBytes <= 0 ? 0 : (requestedBytes + Granularity - 1) / Granularity * Granularity;
}
