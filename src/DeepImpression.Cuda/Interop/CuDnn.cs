using System.Runtime.InteropServices;

namespace DeepImpression.Cuda.Interop;

/// <summary>cudnnDataType_t (only FLOAT is used).</summary>
internal enum CuDnnDataType { Float = 0 }

/// <summary>cudnnTensorFormat_t.</summary>
internal enum CuDnnTensorFormat { Nchw = 0 }

/// <summary>cudnnConvolutionMode_t: our convolutions are cross-correlations (no kernel flip).</summary>
internal enum CuDnnConvolutionMode { Convolution = 0, CrossCorrelation = 1 }

/// <summary>cudnnMathType_t: FMA keeps FP32 convolutions out of TF32 tensor cores; DEFAULT lets cuDNN use them.</summary>
internal enum CuDnnMathType { Default = 0, TensorOp = 1, TensorOpAllowConversion = 2, Fma = 3 }

/// <summary>cudnnBatchNormMode_t: SPATIAL normalizes per channel over (N, H, W).</summary>
internal enum CuDnnBatchNormMode { PerActivation = 0, Spatial = 1 }

/// <summary>cudnnPoolingMode_t.</summary>
internal enum CuDnnPoolingMode { Max = 0, AverageCountIncludePadding = 1, AverageCountExcludePadding = 2, MaxDeterministic = 3 }

/// <summary>cudnnNanPropagation_t.</summary>
internal enum CuDnnNanPropagation { NotPropagate = 0, Propagate = 1 }

/// <summary>cudnnActivationMode_t.</summary>
internal enum CuDnnActivationMode { Sigmoid = 0, Relu = 1, Tanh = 2 }

/// <summary>
/// cudnnConvolutionFwdAlgoPerf_t, cudnnConvolutionBwdDataAlgoPerf_t and cudnnConvolutionBwdFilterAlgoPerf_t: the
/// three share one layout in cuDNN 8 and 9 (algo, status, time, size_t memory, determinism, mathType,
/// int reserved[3]; 48 bytes on 64-bit Linux with 4 bytes of padding before <c>memory</c>).
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal struct CuDnnAlgorithmPerformance
{
    public int Algorithm;
    public int Status;
    public float Milliseconds;
    public nuint WorkspaceBytes;
    public int Determinism;
    public CuDnnMathType MathType;
    public int Reserved0;
    public int Reserved1;
    public int Reserved2;
}

/// <summary>
/// The part of cuDNN's legacy API that versions 8 and 9 share (libcudnn.so.9 / .8). Every declaration was
/// compared with cudnn_ops_infer.h, cudnn_ops_train.h, cudnn_cnn_infer.h and cudnn_cnn_train.h of cuDNN 8.2.1 and
/// with cudnn_graph.h, cudnn_ops.h and cudnn_cnn.h of cuDNN 9.6.0 and 9.13.0: same names, parameters and enum values
/// (only cudnnStatus_t's numbers differ, so messages come from cudnnGetErrorString).
/// </summary>
internal static unsafe partial class CuDnn
{
    private const string Lib = "cudnn";

    static CuDnn() => CudaLibraries.InstallResolver();

    // ---- library ---------------------------------------------------------------------------------------------
    [LibraryImport(Lib, EntryPoint = "cudnnGetVersion")] internal static partial nuint cudnnGetVersion();
    [LibraryImport(Lib, EntryPoint = "cudnnGetProperty")] internal static partial int cudnnGetProperty(int type, out int value);
    [LibraryImport(Lib, EntryPoint = "cudnnGetErrorString")] internal static partial nint cudnnGetErrorString(int status);
    [LibraryImport(Lib, EntryPoint = "cudnnCreate")] internal static partial int cudnnCreate(out nint handle);
    [LibraryImport(Lib, EntryPoint = "cudnnDestroy")] internal static partial int cudnnDestroy(nint handle);
    [LibraryImport(Lib, EntryPoint = "cudnnSetStream")] internal static partial int cudnnSetStream(nint handle, nint stream);

    // ---- descriptors -----------------------------------------------------------------------------------------
    [LibraryImport(Lib, EntryPoint = "cudnnCreateTensorDescriptor")] internal static partial int cudnnCreateTensorDescriptor(out nint descriptor);
    [LibraryImport(Lib, EntryPoint = "cudnnDestroyTensorDescriptor")] internal static partial int cudnnDestroyTensorDescriptor(nint descriptor);
    [LibraryImport(Lib, EntryPoint = "cudnnSetTensor4dDescriptor")]
    internal static partial int cudnnSetTensor4dDescriptor(nint descriptor, CuDnnTensorFormat format, CuDnnDataType dataType, int n, int c, int h, int w);

    [LibraryImport(Lib, EntryPoint = "cudnnCreateFilterDescriptor")] internal static partial int cudnnCreateFilterDescriptor(out nint descriptor);
    [LibraryImport(Lib, EntryPoint = "cudnnDestroyFilterDescriptor")] internal static partial int cudnnDestroyFilterDescriptor(nint descriptor);
    [LibraryImport(Lib, EntryPoint = "cudnnSetFilter4dDescriptor")]
    internal static partial int cudnnSetFilter4dDescriptor(nint descriptor, CuDnnDataType dataType, CuDnnTensorFormat format, int k, int c, int h, int w);

    [LibraryImport(Lib, EntryPoint = "cudnnCreateConvolutionDescriptor")] internal static partial int cudnnCreateConvolutionDescriptor(out nint descriptor);
    [LibraryImport(Lib, EntryPoint = "cudnnDestroyConvolutionDescriptor")] internal static partial int cudnnDestroyConvolutionDescriptor(nint descriptor);
    [LibraryImport(Lib, EntryPoint = "cudnnSetConvolution2dDescriptor")]
    internal static partial int cudnnSetConvolution2dDescriptor(nint descriptor, int padH, int padW, int strideH, int strideW,
        int dilationH, int dilationW, CuDnnConvolutionMode mode, CuDnnDataType computeType);
    [LibraryImport(Lib, EntryPoint = "cudnnSetConvolutionMathType")] internal static partial int cudnnSetConvolutionMathType(nint descriptor, CuDnnMathType mathType);
    [LibraryImport(Lib, EntryPoint = "cudnnGetConvolution2dForwardOutputDim")]
    internal static partial int cudnnGetConvolution2dForwardOutputDim(nint convolution, nint input, nint filter, out int n, out int c, out int h, out int w);

    [LibraryImport(Lib, EntryPoint = "cudnnCreatePoolingDescriptor")] internal static partial int cudnnCreatePoolingDescriptor(out nint descriptor);
    [LibraryImport(Lib, EntryPoint = "cudnnDestroyPoolingDescriptor")] internal static partial int cudnnDestroyPoolingDescriptor(nint descriptor);
    [LibraryImport(Lib, EntryPoint = "cudnnSetPooling2dDescriptor")]
    internal static partial int cudnnSetPooling2dDescriptor(nint descriptor, CuDnnPoolingMode mode, CuDnnNanPropagation nan,
        int windowH, int windowW, int padH, int padW, int strideH, int strideW);

    [LibraryImport(Lib, EntryPoint = "cudnnCreateActivationDescriptor")] internal static partial int cudnnCreateActivationDescriptor(out nint descriptor);
    [LibraryImport(Lib, EntryPoint = "cudnnDestroyActivationDescriptor")] internal static partial int cudnnDestroyActivationDescriptor(nint descriptor);
    [LibraryImport(Lib, EntryPoint = "cudnnSetActivationDescriptor")]
    internal static partial int cudnnSetActivationDescriptor(nint descriptor, CuDnnActivationMode mode, CuDnnNanPropagation nan, double coefficient);

    // ---- convolution -----------------------------------------------------------------------------------------
    [LibraryImport(Lib, EntryPoint = "cudnnFindConvolutionForwardAlgorithmEx")]
    internal static partial int cudnnFindConvolutionForwardAlgorithmEx(nint handle, nint xDesc, ulong x, nint wDesc, ulong w, nint convDesc,
        nint yDesc, ulong y, int requestedCount, out int returnedCount, CuDnnAlgorithmPerformance* results, ulong workspace, nuint workspaceBytes);

    [LibraryImport(Lib, EntryPoint = "cudnnFindConvolutionBackwardDataAlgorithmEx")]
    internal static partial int cudnnFindConvolutionBackwardDataAlgorithmEx(nint handle, nint wDesc, ulong w, nint dyDesc, ulong dy, nint convDesc,
        nint dxDesc, ulong dx, int requestedCount, out int returnedCount, CuDnnAlgorithmPerformance* results, ulong workspace, nuint workspaceBytes);

    [LibraryImport(Lib, EntryPoint = "cudnnFindConvolutionBackwardFilterAlgorithmEx")]
    internal static partial int cudnnFindConvolutionBackwardFilterAlgorithmEx(nint handle, nint xDesc, ulong x, nint dyDesc, ulong dy, nint convDesc,
        nint dwDesc, ulong dw, int requestedCount, out int returnedCount, CuDnnAlgorithmPerformance* results, ulong workspace, nuint workspaceBytes);

    [LibraryImport(Lib, EntryPoint = "cudnnGetConvolutionForwardWorkspaceSize")]
    internal static partial int cudnnGetConvolutionForwardWorkspaceSize(nint handle, nint xDesc, nint wDesc, nint convDesc, nint yDesc, int algorithm, out nuint bytes);
    [LibraryImport(Lib, EntryPoint = "cudnnGetConvolutionBackwardDataWorkspaceSize")]
    internal static partial int cudnnGetConvolutionBackwardDataWorkspaceSize(nint handle, nint wDesc, nint dyDesc, nint convDesc, nint dxDesc, int algorithm, out nuint bytes);
    [LibraryImport(Lib, EntryPoint = "cudnnGetConvolutionBackwardFilterWorkspaceSize")]
    internal static partial int cudnnGetConvolutionBackwardFilterWorkspaceSize(nint handle, nint xDesc, nint dyDesc, nint convDesc, nint dwDesc, int algorithm, out nuint bytes);

    [LibraryImport(Lib, EntryPoint = "cudnnConvolutionForward")]
    internal static partial int cudnnConvolutionForward(nint handle, float* alpha, nint xDesc, ulong x, nint wDesc, ulong w, nint convDesc,
        int algorithm, ulong workspace, nuint workspaceBytes, float* beta, nint yDesc, ulong y);

    [LibraryImport(Lib, EntryPoint = "cudnnConvolutionBackwardData")]
    internal static partial int cudnnConvolutionBackwardData(nint handle, float* alpha, nint wDesc, ulong w, nint dyDesc, ulong dy, nint convDesc,
        int algorithm, ulong workspace, nuint workspaceBytes, float* beta, nint dxDesc, ulong dx);

    [LibraryImport(Lib, EntryPoint = "cudnnConvolutionBackwardFilter")]
    internal static partial int cudnnConvolutionBackwardFilter(nint handle, float* alpha, nint xDesc, ulong x, nint dyDesc, ulong dy, nint convDesc,
        int algorithm, ulong workspace, nuint workspaceBytes, float* beta, nint dwDesc, ulong dw);

    [LibraryImport(Lib, EntryPoint = "cudnnConvolutionBackwardBias")]
    internal static partial int cudnnConvolutionBackwardBias(nint handle, float* alpha, nint dyDesc, ulong dy, float* beta, nint dbDesc, ulong db);

    [LibraryImport(Lib, EntryPoint = "cudnnAddTensor")]
    internal static partial int cudnnAddTensor(nint handle, float* alpha, nint aDesc, ulong a, float* beta, nint cDesc, ulong c);

    // ---- batch normalization ---------------------------------------------------------------------------------
    [LibraryImport(Lib, EntryPoint = "cudnnBatchNormalizationForwardTraining")]
    internal static partial int cudnnBatchNormalizationForwardTraining(nint handle, CuDnnBatchNormMode mode, float* alpha, float* beta,
        nint xDesc, ulong x, nint yDesc, ulong y, nint scaleBiasMeanVarDesc, ulong scale, ulong bias, double exponentialAverageFactor,
        ulong runningMean, ulong runningVariance, double epsilon, ulong saveMean, ulong saveInvVariance);

    [LibraryImport(Lib, EntryPoint = "cudnnBatchNormalizationForwardInference")]
    internal static partial int cudnnBatchNormalizationForwardInference(nint handle, CuDnnBatchNormMode mode, float* alpha, float* beta,
        nint xDesc, ulong x, nint yDesc, ulong y, nint scaleBiasMeanVarDesc, ulong scale, ulong bias, ulong estimatedMean,
        ulong estimatedVariance, double epsilon);

    [LibraryImport(Lib, EntryPoint = "cudnnBatchNormalizationBackward")]
    internal static partial int cudnnBatchNormalizationBackward(nint handle, CuDnnBatchNormMode mode, float* alphaDataDiff, float* betaDataDiff,
        float* alphaParamDiff, float* betaParamDiff, nint xDesc, ulong x, nint dyDesc, ulong dy, nint dxDesc, ulong dx,
        nint scaleBiasDesc, ulong scale, ulong dScale, ulong dBias, double epsilon, ulong savedMean, ulong savedInvVariance);

    // ---- pooling and activation ------------------------------------------------------------------------------
    [LibraryImport(Lib, EntryPoint = "cudnnPoolingForward")]
    internal static partial int cudnnPoolingForward(nint handle, nint poolingDesc, float* alpha, nint xDesc, ulong x, float* beta, nint yDesc, ulong y);

    [LibraryImport(Lib, EntryPoint = "cudnnPoolingBackward")]
    internal static partial int cudnnPoolingBackward(nint handle, nint poolingDesc, float* alpha, nint yDesc, ulong y, nint dyDesc, ulong dy,
        nint xDesc, ulong x, float* beta, nint dxDesc, ulong dx);

    [LibraryImport(Lib, EntryPoint = "cudnnActivationForward")]
    internal static partial int cudnnActivationForward(nint handle, nint activationDesc, float* alpha, nint xDesc, ulong x, float* beta, nint yDesc, ulong y);

    [LibraryImport(Lib, EntryPoint = "cudnnActivationBackward")]
    internal static partial int cudnnActivationBackward(nint handle, nint activationDesc, float* alpha, nint yDesc, ulong y, nint dyDesc, ulong dy,
        nint xDesc, ulong x, float* beta, nint dxDesc, ulong dx);

    // ---- helpers ---------------------------------------------------------------------------------------------

    public static void Check(int status, string call)
    {
        if (status != 0) throw new CudaException(call, status, Describe(status));
    }

    public static string Describe(int status)
    {
        var text = cudnnGetErrorString(status);
        return text == 0 ? $"cudnnStatus_t {status}" : Marshal.PtrToStringUTF8(text) ?? $"cudnnStatus_t {status}";
    }

    /// <summary>"9.6.0" from cudnnGetProperty, which needs no GPU.</summary>
    public static string Version()
    {
        Check(cudnnGetProperty(CuBlas.MajorVersion, out var major), "cudnnGetProperty");
        Check(cudnnGetProperty(CuBlas.MinorVersion, out var minor), "cudnnGetProperty");
        Check(cudnnGetProperty(CuBlas.PatchLevel, out var patch), "cudnnGetProperty");
        return $"{major}.{minor}.{patch}";
    }
}
