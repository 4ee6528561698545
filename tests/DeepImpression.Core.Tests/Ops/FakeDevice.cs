using System.Reflection;
using DeepImpression.Core.Backends;
using DeepImpression.Core.Tensors;

namespace DeepImpression.Core.Tests.Ops;

/// <summary>A backend for a device that is not the CPU, able only to hold memory: enough to test device checks.</summary>
public class FakeDevice : DispatchProxy
{
    public static readonly Device Device = Device.Cuda(7);
    private static readonly IBackend Backend = Create<IBackend, FakeDevice>();

    public static Tensor Tensor(Shape shape)
    {
        if (!BackendRegistry.IsRegistered(DeviceKind.Cuda)) BackendRegistry.RegisterFactory(DeviceKind.Cuda, _ => Backend);
        return Core.Tensors.Tensor.Empty(shape, Device);
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) => targetMethod?.Name switch
    {
        "get_Device" => Device,
        "Allocate" => new Buffer(Backend, (int)args![0]!),
        _ => throw new NotSupportedException($"the fake device does not run {targetMethod?.Name}"),
    };

    private sealed class Buffer(IBackend backend, int length) : DeviceBuffer(backend, length)
    {
        protected override void Free() { }
    }
}
