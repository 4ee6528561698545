using DeepImpression.Cuda.Interop;

namespace DeepImpression.Cuda.Runtime;

/// <summary>One library as found: display name, version (when it loaded and answered), file.</summary>
public sealed record LibraryStatus(string Name, string? Version, string? Path, string? Problem)
{
    /// <summary>True when the library's file was found, whether or not it then answered.</summary>
    public bool Found => Path is not null;
}

/// <summary>
/// What the CUDA backend would find on this machine: each library with its version and file, the driver's CUDA
/// version, every GPU, and each problem in one sentence. Probing never throws; <c>deepimpression doctor</c> prints it.
/// </summary>
public sealed record CudaEnvironmentReport(
    IReadOnlyList<LibraryStatus> Libraries, IReadOnlyList<CudaDeviceInfo> Devices, IReadOnlyList<string> Problems)
{
    /// <summary>True when every library loads and at least one GPU answers.</summary>
    public bool Ready => Problems.Count == 0;

    /// <summary>Looks for every library the backend needs, asks each loaded one for its version and the driver for its GPUs; never throws, so that a machine without CUDA gets a report rather than an exception.</summary>
    public static CudaEnvironmentReport Probe()
    {
        var libraries = new List<LibraryStatus>();
        var problems = new List<string>();
        var devices = new List<CudaDeviceInfo>();

        foreach (var library in CudaLibrary.All)
        {
            var load = CudaLibraries.Load(library);
            if (!load.IsLoaded)
            {
                libraries.Add(new LibraryStatus(library.DisplayName, null, null, load.FailureMessage));
                problems.Add(load.FailureMessage!);
                continue;
            }
            string? version = null, problem = null;
            try
            {
                version = VersionOf(library);
            }
            catch (Exception e) when (e is CudaException or EntryPointNotFoundException)
            {
                problem = $"{library.DisplayName} at {load.Path} did not answer: {e.Message}";
                problems.Add(problem);
            }
            libraries.Add(new LibraryStatus(library.DisplayName, version, load.Path, problem));
        }

        if (CudaLibraries.Load(CudaLibrary.Driver).IsLoaded)
        {
            try
            {
                devices.AddRange(CudaDeviceInfo.Enumerate());
                if (devices.Count == 0) problems.Add("The CUDA driver is installed but sees no GPU.");
            }
            catch (CudaException e)
            {
                problems.Add($"The CUDA driver could not list GPUs: {e.Message}");
            }
        }
        return new CudaEnvironmentReport(libraries, devices, problems);
    }

    private static string VersionOf(CudaLibrary library)
    {
        if (library == CudaLibrary.Driver)
        {
            CudaDriverSession.EnsureInitialized();
            return $"CUDA {CudaDriver.FormatVersion(CudaDriver.DriverVersion())}";
        }
        if (library == CudaLibrary.Nvrtc)
        {
            var (major, minor) = Nvrtc.Version();
            return $"{major}.{minor}";
        }
        if (library == CudaLibrary.CuBlas) return CuBlas.Version();
        if (library == CudaLibrary.CuDnn) return CuDnn.Version();
        throw new ArgumentOutOfRangeException(nameof(library), library, null);
    }
}
