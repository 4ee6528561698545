using System.Collections.Concurrent;
using DeepImpression.Core.Backends.Cpu;
using DeepImpression.Core.Tensors;

namespace DeepImpression.Core.Backends;

/// <summary>
/// One backend instance per device. Core knows only the CPU; other assemblies (DeepImpression.Cuda) register a
/// factory for their device kind, so that Core never references them.
/// </summary>
public static class BackendRegistry
{
    private static readonly ConcurrentDictionary<DeviceKind, Func<int, IBackend>> Factories = new();
    private static readonly ConcurrentDictionary<Device, Lazy<IBackend>> Instances = new();

    static BackendRegistry() => Factories[DeviceKind.Cpu] = index => index == 0
        ? CpuBackend.Instance
        : throw new InvalidOperationException($"No CPU backend is registered as cpu:{index} (BackendRegistry.AddCpu makes one).");

    /// <summary>Makes devices of <paramref name="kind"/> usable: <paramref name="factory"/> builds the backend for a device index on first use. DeepImpression.Cuda's <c>CudaBackend.Register</c> calls this for <see cref="DeviceKind.Cuda"/>.</summary>
    public static void RegisterFactory(DeviceKind kind, Func<int, IBackend> factory) => Factories[kind] = factory;

    private static int _extraCpus;

    /// <summary>
    /// A further CPU backend built from <paramref name="options"/>, under a device of its own (cpu:1, cpu:2, ...):
    /// tensors and models made on that device compute with it. For comparing the numbers of differently configured
    /// backends (threads, instruction set, schedule, convolution algorithms) in one process. Dispose the backend
    /// (<see cref="Get"/>) to end its threads.
    /// </summary>
    public static Device AddCpu(CpuBackendOptions options)
    {
        var device = new Device(DeviceKind.Cpu, Interlocked.Increment(ref _extraCpus));
        var backend = new CpuBackend(options, device);
        Instances[device] = new Lazy<IBackend>(backend);
        return device;
    }

    /// <summary>True when devices of <paramref name="kind"/> have a backend factory.</summary>
    public static bool IsRegistered(DeviceKind kind) => Factories.ContainsKey(kind);

    /// <summary>The one backend of <paramref name="device"/>, built on first use; throws naming the device when its kind has no registered factory.</summary>
    public static IBackend Get(Device device)
    {
        if (!Factories.TryGetValue(device.Kind, out var factory))
            throw new InvalidOperationException(
                $"No backend is registered for device {device}. For CUDA, reference DeepImpression.Cuda and call CudaBackend.Register().");
        return Instances.GetOrAdd(device, d => new Lazy<IBackend>(() => factory(d.Index))).Value;
    }
}
