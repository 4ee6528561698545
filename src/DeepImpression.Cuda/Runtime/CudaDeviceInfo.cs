using DeepImpression.Cuda.Interop;

namespace DeepImpression.Cuda.Runtime;

/// <summary>What the driver reports about one GPU.</summary>
public sealed record CudaDeviceInfo(int Ordinal, string Name, int ComputeMajor, int ComputeMinor, long TotalMemoryBytes, int Multiprocessors)
{
    /// <summary>The compute capability as NVRTC's architecture number, e.g. 90 for 9.0.</summary>
    public int Architecture => ComputeMajor * 10 + ComputeMinor;

    /// <summary>One line for a user: ordinal, name, compute capability, memory and multiprocessors.</summary>
    public override string ToString() =>
        $"cuda:{Ordinal} {Name}, compute capability {ComputeMajor}.{ComputeMinor}, {TotalMemoryBytes / (1024.0 * 1024 * 1024):F1} GiB, {Multiprocessors} SMs";

    /// <summary>Initializes the driver (once) and lists every GPU it sees.</summary>
    public static IReadOnlyList<CudaDeviceInfo> Enumerate()
    {
        CudaDriverSession.EnsureInitialized();
        CudaDriver.Check(CudaDriver.cuDeviceGetCount(out var count), "cuDeviceGetCount");
        var devices = new List<CudaDeviceInfo>(count);
        for (int i = 0; i < count; i++) devices.Add(Query(i));
        return devices;
    }

    /// <summary>Initializes the driver (once) and asks it about GPU <paramref name="ordinal"/>; throws <see cref="CudaException"/> for an ordinal the driver does not know.</summary>
    public static CudaDeviceInfo Query(int ordinal)
    {
        CudaDriverSession.EnsureInitialized();
        CudaDriver.Check(CudaDriver.cuDeviceGet(out var device, ordinal), "cuDeviceGet");
        CudaDriver.Check(CudaDriver.cuDeviceTotalMem(out var bytes, device), "cuDeviceTotalMem_v2");
        return new CudaDeviceInfo(ordinal, CudaDriver.DeviceName(device),
            CudaDriver.Attribute(CuDeviceAttribute.ComputeCapabilityMajor, device),
            CudaDriver.Attribute(CuDeviceAttribute.ComputeCapabilityMinor, device),
            (long)bytes,
            CudaDriver.Attribute(CuDeviceAttribute.MultiprocessorCount, device));
    }
}
