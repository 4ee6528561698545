using DeepImpression.Cuda.Interop;
using DeepImpression.Cuda.Runtime;

namespace DeepImpression.Cuda.Kernels;

/// <summary>
/// The backend's own kernels on one device: each kernels/*.cu module is compiled (or read from the disk cache) and
/// loaded on first use; launches check their arguments against <see cref="KernelCatalog"/>.
/// </summary>
internal sealed unsafe class CudaKernels : IDisposable
{
    private readonly CudaContext _context;
    private readonly KernelCompiler _compiler;
    private readonly Dictionary<string, NativeHandle> _modules = new(StringComparer.Ordinal);
    private readonly Dictionary<KernelSignature, nint> _functions = new();
    private readonly object _gate = new();

    public CudaKernels(CudaContext context, int deviceArchitecture, string? cacheDirectory = null)
    {
        _context = context;
        _compiler = new KernelCompiler(deviceArchitecture, cacheDirectory);
    }

    public (int Major, int Minor) NvrtcVersion => _compiler.NvrtcVersion;
    public CompileTarget Target => _compiler.Target;

    /// <summary>Loads every module now (so that compile errors surface at start-up, not mid-training).</summary>
    public void LoadAll()
    {
        foreach (var signature in KernelCatalog.All) Function(signature);
    }

    /// <summary>Launches <paramref name="kernel"/> on <paramref name="stream"/>; an empty grid launches nothing.</summary>
    public void Launch(KernelSignature kernel, LaunchConfiguration configuration, CudaStream stream, params ReadOnlySpan<KernelArgument> arguments)
    {
        if (arguments.Length != kernel.Parameters.Count)
            throw new ArgumentException($"{kernel} takes {kernel.Parameters.Count} arguments, not {arguments.Length}.");
        for (int i = 0; i < arguments.Length; i++)
            if (arguments[i].Kind != kernel.Parameters[i])
                throw new ArgumentException($"{kernel}: argument {i} is {arguments[i].Kind}, expected {kernel.Parameters[i]}.");
        if (configuration.Blocks == 0) return;

        var function = Function(kernel);
        var values = stackalloc ulong[arguments.Length];
        var pointers = stackalloc void*[Math.Max(1, arguments.Length)];
        for (int i = 0; i < arguments.Length; i++)
        {
            values[i] = arguments[i].Bits;
            pointers[i] = &values[i];
        }
        CudaDriver.Check(CudaDriver.cuLaunchKernel(function, configuration.Blocks, 1, 1, configuration.ThreadsPerBlock, 1, 1, 0,
            stream.Handle, pointers, null), $"cuLaunchKernel({kernel.Name})");
    }

    private nint Function(KernelSignature kernel)
    {
        lock (_gate)
        {
            if (_functions.TryGetValue(kernel, out var function)) return function;
            _context.MakeCurrent();
            if (!_modules.TryGetValue(kernel.Module, out var module))
            {
                module = LoadModule(kernel.Module);
                _modules.Add(kernel.Module, module);
            }
            CudaDriver.Check(CudaDriver.cuModuleGetFunction(out function, module.Value, kernel.Name), $"cuModuleGetFunction({kernel.Name})");
            _functions.Add(kernel, function);
            return function;
        }
    }

    private NativeHandle LoadModule(string name)
    {
        var image = _compiler.Compile(name);
        int result;
        nint module;
        fixed (byte* p = image) result = CudaDriver.cuModuleLoadData(out module, p);
        if (result != CudaDriver.Success)
        {
            throw new CudaException("cuModuleLoadData", result, CudaDriver.Describe(result),
                $"loading kernels/{name}.cu compiled by NVRTC {NvrtcVersion.Major}.{NvrtcVersion.Minor} for {Target.Label} " +
                $"(the driver supports CUDA {CudaDriver.FormatVersion(CudaDriver.DriverVersion())}; an NVRTC newer than the driver produces code it cannot load).");
        }
        return new NativeHandle(module, CudaDriver.cuModuleUnload, _context.Handle);
    }

    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var module in _modules.Values) module.Dispose();
            _modules.Clear();
            _functions.Clear();
        }
    }
}
