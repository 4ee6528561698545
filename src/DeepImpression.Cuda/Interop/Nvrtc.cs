using System.Runtime.InteropServices;
using System.Text;

namespace DeepImpression.Cuda.Interop;

/// <summary>
/// NVRTC, the runtime CUDA C++ compiler (libnvrtc.so.13/12/11), as declared in nvrtc.h of CUDA 12.6 and 13.0.
/// <c>nvrtcProgram</c> is an opaque pointer; sizes are size_t.
/// </summary>
internal static unsafe partial class Nvrtc
{
    private const string Lib = "nvrtc";
    public const int Success = 0;
    public const int ErrorCompilation = 6;

    static Nvrtc() => CudaLibraries.InstallResolver();

    [LibraryImport(Lib, EntryPoint = "nvrtcVersion")] internal static partial int nvrtcVersion(out int major, out int minor);
    [LibraryImport(Lib, EntryPoint = "nvrtcGetErrorString")] internal static partial nint nvrtcGetErrorString(int result);
    [LibraryImport(Lib, EntryPoint = "nvrtcGetNumSupportedArchs")] internal static partial int nvrtcGetNumSupportedArchs(out int count);
    [LibraryImport(Lib, EntryPoint = "nvrtcGetSupportedArchs")] internal static partial int nvrtcGetSupportedArchs(int* architectures);
    [LibraryImport(Lib, EntryPoint = "nvrtcCreateProgram", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int nvrtcCreateProgram(out nint program, string source, string name, int headerCount, byte** headers, byte** includeNames);
    [LibraryImport(Lib, EntryPoint = "nvrtcDestroyProgram")] internal static partial int nvrtcDestroyProgram(ref nint program);
    [LibraryImport(Lib, EntryPoint = "nvrtcCompileProgram")] internal static partial int nvrtcCompileProgram(nint program, int optionCount, byte** options);
    [LibraryImport(Lib, EntryPoint = "nvrtcGetProgramLogSize")] internal static partial int nvrtcGetProgramLogSize(nint program, out nuint size);
    [LibraryImport(Lib, EntryPoint = "nvrtcGetProgramLog")] internal static partial int nvrtcGetProgramLog(nint program, byte* log);
    [LibraryImport(Lib, EntryPoint = "nvrtcGetPTXSize")] internal static partial int nvrtcGetPTXSize(nint program, out nuint size);
    [LibraryImport(Lib, EntryPoint = "nvrtcGetPTX")] internal static partial int nvrtcGetPTX(nint program, byte* ptx);
    [LibraryImport(Lib, EntryPoint = "nvrtcGetCUBINSize")] internal static partial int nvrtcGetCUBINSize(nint program, out nuint size);
    [LibraryImport(Lib, EntryPoint = "nvrtcGetCUBIN")] internal static partial int nvrtcGetCUBIN(nint program, byte* cubin);

    public static void Check(int result, string call, string? detail = null)
    {
        if (result != Success) throw new CudaException(call, result, Describe(result), detail);
    }

    public static string Describe(int result)
    {
        var text = nvrtcGetErrorString(result);
        return text == 0 ? $"nvrtcResult {result}" : Marshal.PtrToStringUTF8(text) ?? $"nvrtcResult {result}";
    }

    public static (int Major, int Minor) Version()
    {
        Check(nvrtcVersion(out var major, out var minor), "nvrtcVersion");
        return (major, minor);
    }

    /// <summary>The sm_XY numbers (e.g. 75, 80, 90) this NVRTC can generate code for.</summary>
    public static int[] SupportedArchitectures()
    {
        Check(nvrtcGetNumSupportedArchs(out var count), "nvrtcGetNumSupportedArchs");
        var archs = new int[count];
        fixed (int* p = archs) Check(nvrtcGetSupportedArchs(p), "nvrtcGetSupportedArchs");
        return archs;
    }

    /// <summary>Compiles one translation unit; returns PTX text bytes or a CUBIN image, with a trailing zero for PTX.</summary>
    public static byte[] Compile(string source, string name, IReadOnlyList<string> options, bool cubin)
    {
        Check(nvrtcCreateProgram(out var program, source, name, 0, null, null), "nvrtcCreateProgram");
        try
        {
            var encoded = options.Select(o => Encoding.UTF8.GetBytes(o + "\0")).ToArray();
            var handles = encoded.Select(b => GCHandle.Alloc(b, GCHandleType.Pinned)).ToArray();
            try
            {
                var pointers = stackalloc byte*[Math.Max(1, encoded.Length)];
                for (int i = 0; i < encoded.Length; i++) pointers[i] = (byte*)handles[i].AddrOfPinnedObject();
                int result = nvrtcCompileProgram(program, encoded.Length, pointers);
                if (result != Success)
                    throw new CudaException("nvrtcCompileProgram", result, Describe(result),
                        $"while compiling {name} with {string.Join(' ', options)}:{Environment.NewLine}{Log(program)}");
            }
            finally
            {
                foreach (var h in handles) h.Free();
            }
            return cubin ? Output(program, nvrtcGetCUBINSize, nvrtcGetCUBIN, "nvrtcGetCUBIN")
                         : Output(program, nvrtcGetPTXSize, nvrtcGetPTX, "nvrtcGetPTX");
        }
        finally
        {
            nvrtcDestroyProgram(ref program);
        }
    }

    private delegate int SizeGetter(nint program, out nuint size);
    private delegate int ContentGetter(nint program, byte* destination);

    private static byte[] Output(nint program, SizeGetter size, ContentGetter content, string call)
    {
        Check(size(program, out var bytes), call + "Size");
        var result = new byte[(int)bytes];
        fixed (byte* p = result) Check(content(program, p), call);
        return result;
    }

    private static string Log(nint program)
    {
        if (nvrtcGetProgramLogSize(program, out var size) != Success || size <= 1) return "(no compiler log)";
        var buffer = new byte[(int)size];
        fixed (byte* p = buffer)
            if (nvrtcGetProgramLog(program, p) != Success) return "(no compiler log)";
        return Encoding.UTF8.GetString(buffer, 0, buffer.Length - 1).TrimEnd();
    }
}
