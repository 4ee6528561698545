using System.Runtime.InteropServices;

namespace DeepImpression.Cuda.Interop;

/// <summary>CUdevice_attribute values used here (cuda.h, identical in CUDA 11 to 13).</summary>
internal enum CuDeviceAttribute
{
    MaxThreadsPerBlock = 1,
    MaxGridDimX = 5,
    MultiprocessorCount = 16,
    PciBusId = 33,
    ComputeCapabilityMajor = 75,
    ComputeCapabilityMinor = 76,
}

/// <summary>
/// The CUDA driver API (libcuda.so.1), bound by the symbols cuda.h maps its names to: the <c>_v2</c> entry
/// points where the header #defines one (size_t sizes, 64-bit <c>CUdeviceptr</c> = unsigned long long), the
/// plain name elsewhere. Every wrapper checks the CUresult and throws <see cref="CudaException"/>.
/// Checked against cuda.h of CUDA 12.6 and 13.0.
/// </summary>
internal static unsafe partial class CudaDriver
{
    private const string Lib = "cuda";

    public const int Success = 0;
    public const uint StreamNonBlocking = 0x1;
    public const uint EventDefault = 0x0;
    public const uint EventDisableTiming = 0x2;

    static CudaDriver() => CudaLibraries.InstallResolver();

    // ---- raw entry points: CUresult f(...) ---------------------------------------------------------------------

    [LibraryImport(Lib, EntryPoint = "cuInit")] internal static partial int cuInit(uint flags);
    [LibraryImport(Lib, EntryPoint = "cuDriverGetVersion")] internal static partial int cuDriverGetVersion(out int driverVersion);
    [LibraryImport(Lib, EntryPoint = "cuGetErrorName")] internal static partial int cuGetErrorName(int error, out nint text);
    [LibraryImport(Lib, EntryPoint = "cuGetErrorString")] internal static partial int cuGetErrorString(int error, out nint text);

    [LibraryImport(Lib, EntryPoint = "cuDeviceGetCount")] internal static partial int cuDeviceGetCount(out int count);
    [LibraryImport(Lib, EntryPoint = "cuDeviceGet")] internal static partial int cuDeviceGet(out int device, int ordinal);
    [LibraryImport(Lib, EntryPoint = "cuDeviceGetName")] internal static partial int cuDeviceGetName(byte* name, int length, int device);
    [LibraryImport(Lib, EntryPoint = "cuDeviceGetAttribute")] internal static partial int cuDeviceGetAttribute(out int value, CuDeviceAttribute attribute, int device);
    [LibraryImport(Lib, EntryPoint = "cuDeviceTotalMem_v2")] internal static partial int cuDeviceTotalMem(out nuint bytes, int device);

    [LibraryImport(Lib, EntryPoint = "cuDevicePrimaryCtxRetain")] internal static partial int cuDevicePrimaryCtxRetain(out nint context, int device);
    [LibraryImport(Lib, EntryPoint = "cuDevicePrimaryCtxRelease_v2")] internal static partial int cuDevicePrimaryCtxRelease(int device);
    [LibraryImport(Lib, EntryPoint = "cuCtxSetCurrent")] internal static partial int cuCtxSetCurrent(nint context);
    [LibraryImport(Lib, EntryPoint = "cuMemGetInfo_v2")] internal static partial int cuMemGetInfo(out nuint free, out nuint total);

    [LibraryImport(Lib, EntryPoint = "cuStreamCreate")] internal static partial int cuStreamCreate(out nint stream, uint flags);
    [LibraryImport(Lib, EntryPoint = "cuStreamDestroy_v2")] internal static partial int cuStreamDestroy(nint stream);
    [LibraryImport(Lib, EntryPoint = "cuStreamSynchronize")] internal static partial int cuStreamSynchronize(nint stream);
    [LibraryImport(Lib, EntryPoint = "cuStreamWaitEvent")] internal static partial int cuStreamWaitEvent(nint stream, nint cuEvent, uint flags);

    [LibraryImport(Lib, EntryPoint = "cuEventCreate")] internal static partial int cuEventCreate(out nint cuEvent, uint flags);
    [LibraryImport(Lib, EntryPoint = "cuEventDestroy_v2")] internal static partial int cuEventDestroy(nint cuEvent);
    [LibraryImport(Lib, EntryPoint = "cuEventRecord")] internal static partial int cuEventRecord(nint cuEvent, nint stream);
    [LibraryImport(Lib, EntryPoint = "cuEventSynchronize")] internal static partial int cuEventSynchronize(nint cuEvent);

    [LibraryImport(Lib, EntryPoint = "cuMemAlloc_v2")] internal static partial int cuMemAlloc(out ulong devicePointer, nuint bytes);
    [LibraryImport(Lib, EntryPoint = "cuMemFree_v2")] internal static partial int cuMemFree(ulong devicePointer);
    [LibraryImport(Lib, EntryPoint = "cuMemAllocHost_v2")] internal static partial int cuMemAllocHost(out nint hostPointer, nuint bytes);
    [LibraryImport(Lib, EntryPoint = "cuMemFreeHost")] internal static partial int cuMemFreeHost(nint hostPointer);
    [LibraryImport(Lib, EntryPoint = "cuMemcpyHtoDAsync_v2")] internal static partial int cuMemcpyHtoDAsync(ulong destination, void* source, nuint bytes, nint stream);
    [LibraryImport(Lib, EntryPoint = "cuMemcpyDtoHAsync_v2")] internal static partial int cuMemcpyDtoHAsync(void* destination, ulong source, nuint bytes, nint stream);
    [LibraryImport(Lib, EntryPoint = "cuMemcpyDtoDAsync_v2")] internal static partial int cuMemcpyDtoDAsync(ulong destination, ulong source, nuint bytes, nint stream);
    [LibraryImport(Lib, EntryPoint = "cuMemsetD32Async")] internal static partial int cuMemsetD32Async(ulong destination, uint value, nuint count, nint stream);

    [LibraryImport(Lib, EntryPoint = "cuModuleLoadData")] internal static partial int cuModuleLoadData(out nint module, void* image);
    [LibraryImport(Lib, EntryPoint = "cuModuleUnload")] internal static partial int cuModuleUnload(nint module);
    [LibraryImport(Lib, EntryPoint = "cuModuleGetFunction", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int cuModuleGetFunction(out nint function, nint module, string name);

    [LibraryImport(Lib, EntryPoint = "cuLaunchKernel")]
    internal static partial int cuLaunchKernel(nint function, uint gridX, uint gridY, uint gridZ, uint blockX, uint blockY, uint blockZ,
        uint sharedMemoryBytes, nint stream, void** kernelParameters, void** extra);

    // ---- entry points chosen by what the driver exports ------------------------------------------------------------

    /// <summary>cuEventElapsedTime's symbols, newest first: cuda.h of CUDA 13 declares only <c>_v2</c> (same
    /// signature: float*, CUevent, CUevent); drivers before 12.8 export only the plain name.</summary>
    internal static readonly string[] EventElapsedTimeSymbols = ["cuEventElapsedTime_v2", "cuEventElapsedTime"];

    private static readonly Lazy<nint> EventElapsedTimeEntry = new(() =>
    {
        var driver = CudaLibraries.Require(CudaLibrary.Driver);
        var symbol = FirstExported(EventElapsedTimeSymbols, name => NativeLibrary.TryGetExport(driver, name, out _));
        return symbol is null
            ? throw new EntryPointNotFoundException($"libcuda.so.1 exports none of {string.Join(", ", EventElapsedTimeSymbols)}.")
            : NativeLibrary.GetExport(driver, symbol);
    });

    /// <summary>The first of <paramref name="symbols"/> that <paramref name="exports"/> says the library has.</summary>
    internal static string? FirstExported(IEnumerable<string> symbols, Func<string, bool> exports) => symbols.FirstOrDefault(exports);

    /// <summary>Milliseconds between two recorded timing events, through <c>cuEventElapsedTime_v2</c> or v1.</summary>
    internal static int cuEventElapsedTime(out float milliseconds, nint start, nint end)
    {
        float ms = 0;
        int result = ((delegate* unmanaged<float*, nint, nint, int>)EventElapsedTimeEntry.Value)(&ms, start, end);
        milliseconds = ms;
        return result;
    }

    // ---- checked helpers -----------------------------------------------------------------------------------------

    /// <summary>Throws <see cref="CudaException"/> naming <paramref name="call"/> unless <paramref name="result"/> is CUDA_SUCCESS.</summary>
    public static void Check(int result, string call)
    {
        if (result != Success) throw new CudaException(call, result, Describe(result));
    }

    /// <summary>"CUDA_ERROR_OUT_OF_MEMORY (out of memory)", from the driver's own tables.</summary>
    public static string Describe(int result)
    {
        string name = $"CUresult {result}";
        string? text = null;
        try
        {
            if (cuGetErrorName(result, out var n) == Success && n != 0) name = Marshal.PtrToStringUTF8(n) ?? name;
            if (cuGetErrorString(result, out var s) == Success && s != 0) text = Marshal.PtrToStringUTF8(s);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
        }
        return text is null ? name : $"{name} ({text})";
    }

    public static int DriverVersion()
    {
        Check(cuDriverGetVersion(out var version), "cuDriverGetVersion");
        return version;
    }

    public static string DeviceName(int device)
    {
        byte* buffer = stackalloc byte[256];
        Check(cuDeviceGetName(buffer, 256, device), "cuDeviceGetName");
        return Marshal.PtrToStringUTF8((nint)buffer) ?? "";
    }

    public static int Attribute(CuDeviceAttribute attribute, int device)
    {
        Check(cuDeviceGetAttribute(out var value, attribute, device), "cuDeviceGetAttribute");
        return value;
    }

    /// <summary>"12.4" from the driver API's integer 12040.</summary>
    public static string FormatVersion(int version) => $"{version / 1000}.{version % 1000 / 10}";
}
