using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using DeepImpression.Cuda.Interop;

namespace DeepImpression.Cuda.Tests.HostSide;

/// <summary>
/// The native layouts and symbol names the bindings rely on, as read from the headers (cuda.h and nvrtc.h of CUDA
/// 12.6 and 13.0, cublas_api.h of CUDA 12.6 and 13.0, cuDNN 8.2.1, 9.6.0 and 9.13.0). A binding that drifts from
/// these fails here instead of corrupting memory on a GPU.
/// </summary>
[TestFixture]
public class InteropLayoutTests
{
    [Test]
    public void TheAlgorithmPerformanceStructHasTheHeadersLayout()
    {
        // struct { enum algo; cudnnStatus_t status; float time; size_t memory; cudnnDeterminism_t determinism;
        //          cudnnMathType_t mathType; int reserved[3]; }: size_t aligns to 8, so 4 bytes of padding follow time.
        Assert.That(Marshal.SizeOf<CuDnnAlgorithmPerformance>(), Is.EqualTo(48));
        Assert.That(Unsafe.SizeOf<CuDnnAlgorithmPerformance>(), Is.EqualTo(48));
        Assert.That(Offset(nameof(CuDnnAlgorithmPerformance.Algorithm)), Is.EqualTo(0));
        Assert.That(Offset(nameof(CuDnnAlgorithmPerformance.Status)), Is.EqualTo(4));
        Assert.That(Offset(nameof(CuDnnAlgorithmPerformance.Milliseconds)), Is.EqualTo(8));
        Assert.That(Offset(nameof(CuDnnAlgorithmPerformance.WorkspaceBytes)), Is.EqualTo(16));
        Assert.That(Offset(nameof(CuDnnAlgorithmPerformance.Determinism)), Is.EqualTo(24));
        Assert.That(Offset(nameof(CuDnnAlgorithmPerformance.MathType)), Is.EqualTo(28));
        Assert.That(Offset(nameof(CuDnnAlgorithmPerformance.Reserved0)), Is.EqualTo(32));
        Assert.That(Offset(nameof(CuDnnAlgorithmPerformance.Reserved2)), Is.EqualTo(40));
    }

    private static int Offset(string field) => (int)Marshal.OffsetOf<CuDnnAlgorithmPerformance>(field);

    [Test]
    public void EnumValuesMatchTheHeaders()
    {
        Assert.That((int)CuDnnDataType.Float, Is.EqualTo(0));            // CUDNN_DATA_FLOAT
        Assert.That((int)CuDnnTensorFormat.Nchw, Is.EqualTo(0));         // CUDNN_TENSOR_NCHW
        Assert.That((int)CuDnnConvolutionMode.CrossCorrelation, Is.EqualTo(1)); // CUDNN_CROSS_CORRELATION
        Assert.That((int)CuDnnMathType.Default, Is.EqualTo(0));
        Assert.That((int)CuDnnMathType.TensorOp, Is.EqualTo(1));
        Assert.That((int)CuDnnMathType.Fma, Is.EqualTo(3));              // CUDNN_FMA_MATH
        Assert.That((int)CuDnnBatchNormMode.Spatial, Is.EqualTo(1));     // CUDNN_BATCHNORM_SPATIAL
        Assert.That((int)CuDnnPoolingMode.Max, Is.EqualTo(0));           // CUDNN_POOLING_MAX
        Assert.That((int)CuDnnPoolingMode.AverageCountIncludePadding, Is.EqualTo(1));
        Assert.That((int)CuDnnNanPropagation.Propagate, Is.EqualTo(1));
        Assert.That((int)CuDnnActivationMode.Relu, Is.EqualTo(1));       // CUDNN_ACTIVATION_RELU
        Assert.That((int)CuDnnActivationMode.Tanh, Is.EqualTo(2));       // CUDNN_ACTIVATION_TANH
        Assert.That((int)CuBlasOperation.Transpose, Is.EqualTo(1));      // CUBLAS_OP_T
        Assert.That((int)CuBlasMath.Default, Is.EqualTo(0));             // CUBLAS_DEFAULT_MATH
        Assert.That((int)CuBlasMath.Tf32TensorOp, Is.EqualTo(3));        // CUBLAS_TF32_TENSOR_OP_MATH
        Assert.That((int)CuDeviceAttribute.ComputeCapabilityMajor, Is.EqualTo(75));
        Assert.That((int)CuDeviceAttribute.ComputeCapabilityMinor, Is.EqualTo(76));
        Assert.That((int)CuDeviceAttribute.MultiprocessorCount, Is.EqualTo(16));
        Assert.That(CudaDriver.StreamNonBlocking, Is.EqualTo(1u));       // CU_STREAM_NON_BLOCKING
        Assert.That(CudaDriver.EventDisableTiming, Is.EqualTo(2u));      // CU_EVENT_DISABLE_TIMING
        Assert.That(CuBlas.StatusName(13), Is.EqualTo("CUBLAS_STATUS_EXECUTION_FAILED"));
    }

    [Test]
    public void DriverFunctionsBindTheSymbolsCudaHMapsTheirNamesTo()
    {
        // cuda.h #defines these to _v2 symbols (64-bit sizes and CUdeviceptr); binding the plain name would call the
        // 32-bit legacy entry point.
        Assert.That(EntryPoints(typeof(CudaDriver)), Is.SupersetOf(new[]
        {
            "cuDeviceTotalMem_v2", "cuDevicePrimaryCtxRelease_v2", "cuMemGetInfo_v2", "cuStreamDestroy_v2", "cuEventDestroy_v2",
            "cuMemAlloc_v2", "cuMemFree_v2", "cuMemAllocHost_v2", "cuMemcpyHtoDAsync_v2", "cuMemcpyDtoHAsync_v2", "cuMemcpyDtoDAsync_v2",
        }));
        Assert.That(EntryPoints(typeof(CudaDriver)), Is.SupersetOf(new[]
        {
            "cuInit", "cuDriverGetVersion", "cuDeviceGet", "cuDeviceGetCount", "cuDeviceGetName", "cuDeviceGetAttribute",
            "cuDevicePrimaryCtxRetain", "cuCtxSetCurrent", "cuStreamCreate", "cuStreamSynchronize", "cuEventCreate", "cuEventRecord",
            "cuEventSynchronize", "cuMemFreeHost", "cuMemsetD32Async", "cuModuleLoadData", "cuModuleGetFunction",
            "cuLaunchKernel", "cuGetErrorName", "cuGetErrorString",
        }));
        Assert.That(EntryPoints(typeof(CudaDriver)), Has.None.EqualTo("cuMemAlloc").And.None.EqualTo("cuMemcpyHtoDAsync").And.None.EqualTo("cuDeviceTotalMem"));
    }

    [Test]
    public void EventTimingBindsTheV2SymbolCuda13DeclaresAndFallsBackToV1OnOlderDrivers()
    {
        Assert.That(CudaDriver.EventElapsedTimeSymbols, Is.EqualTo(new[] { "cuEventElapsedTime_v2", "cuEventElapsedTime" }));
        Assert.That(CudaDriver.FirstExported(CudaDriver.EventElapsedTimeSymbols, _ => true), Is.EqualTo("cuEventElapsedTime_v2"));
        Assert.That(CudaDriver.FirstExported(CudaDriver.EventElapsedTimeSymbols, s => s == "cuEventElapsedTime"), Is.EqualTo("cuEventElapsedTime"));
        Assert.That(CudaDriver.FirstExported(CudaDriver.EventElapsedTimeSymbols, _ => false), Is.Null);
        Assert.That(EntryPoints(typeof(CudaDriver)), Has.None.StartsWith("cuEventElapsedTime"), "bound by address, not by a fixed import");
    }

    [Test]
    public void CuBlasFunctionsBindTheV2Symbols()
    {
        Assert.That(EntryPoints(typeof(CuBlas)), Is.SupersetOf(new[]
        {
            "cublasCreate_v2", "cublasDestroy_v2", "cublasSetStream_v2", "cublasSgemm_v2", "cublasGetVersion_v2",
            "cublasSgemmStridedBatched", "cublasSetMathMode", "cublasGetProperty",
        }));
        Assert.That(EntryPoints(typeof(CuBlas)), Has.None.EqualTo("cublasSgemm").And.None.EqualTo("cublasCreate"));
    }

    [Test]
    public void EveryBindingHasAnExplicitEntryPointAndOnlyBlittableParameters()
    {
        foreach (var type in new[] { typeof(CudaDriver), typeof(Nvrtc), typeof(CuBlas), typeof(CuDnn) })
        {
            foreach (var method in Imports(type))
            {
                var attribute = method.GetCustomAttribute<LibraryImportAttribute>()!;
                Assert.That(attribute.EntryPoint, Is.Not.Null.And.Not.Empty, $"{type.Name}.{method.Name}");
                foreach (var p in method.GetParameters())
                {
                    var t = p.ParameterType.IsByRef ? p.ParameterType.GetElementType()! : p.ParameterType;
                    bool ok = t.IsPointer || t.IsEnum || t == typeof(string) || t.IsPrimitive || t == typeof(CuDnnAlgorithmPerformance);
                    Assert.That(ok, Is.True, $"{type.Name}.{method.Name} parameter {p.Name} is {t}");
                }
            }
        }
    }

    private static IEnumerable<MethodInfo> Imports(Type type) =>
        type.GetMethods(BindingFlags.Static | BindingFlags.NonPublic | BindingFlags.Public)
            .Where(m => m.GetCustomAttribute<LibraryImportAttribute>() is not null);

    private static string[] EntryPoints(Type type) => Imports(type).Select(m => m.GetCustomAttribute<LibraryImportAttribute>()!.EntryPoint!).ToArray();
}
