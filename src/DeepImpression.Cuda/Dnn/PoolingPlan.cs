using DeepImpression.Core.Backends;

namespace DeepImpression.Cuda.Dnn;

/// <summary>Which implementation runs a pooling.</summary>
internal enum PoolingImplementation
{
    /// <summary>cuDNN's AVERAGE_COUNT_INCLUDE_PADDING: exactly our average pooling when the output rounds down.</summary>
    CuDnnAverage,
    /// <summary>Our max-pooling kernel: ties go to the first cell in window order, which cuDNN does not promise,
    /// and the rounded-up (cover-all) output size, which its descriptors cannot express.</summary>
    MaxKernel,
    /// <summary>Our average kernel, for cover-all windows that hang over the padded edge.</summary>
    AverageKernel,
}

internal static class PoolingPlan
{
    public static PoolingImplementation Choose(PoolingMode mode, PoolingGeometry geometry, int inH, int inW)
    {
        if (mode == PoolingMode.Max) return PoolingImplementation.MaxKernel;
        if (!geometry.CoverAll) return PoolingImplementation.CuDnnAverage;
        // Cover-all changes nothing when the windows tile the padded input exactly.
        var roundedDown = new PoolingGeometry(geometry.KernelH, geometry.KernelW, geometry.StrideH, geometry.StrideW,
            geometry.PadH, geometry.PadW, CoverAll: false).OutputShape(inH, inW);
        return roundedDown == geometry.OutputShape(inH, inW) ? PoolingImplementation.CuDnnAverage : PoolingImplementation.AverageKernel;
    }
}
