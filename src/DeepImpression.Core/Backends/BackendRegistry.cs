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

    static BackendRegistry() => Factories[DeviceKind.Cpu] = _ => CpuBackend.Instance;

    public static void RegisterFactory(DeviceKind kind, Func<int, IBackend> factory) => Factories[kind] = factory;

    public static bool IsRegistered(DeviceKind kind) => Factories.ContainsKey(kind);

    public static IBackend Get(Device device)
    {
        if (!Factories.TryGetValue(device.Kind, out var factory))
            throw new InvalidOperationException(
                $"No backend is registered for device {device}. For CUDA, reference DeepImpression.Cuda and call CudaBackend.Register().");
        return Instances.GetOrAdd(device, d => new Lazy<IBackend>(() => factory(d.Index))).Value;
    }
}
