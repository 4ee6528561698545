namespace DeepImpression.Core.Tensors;

/// <summary>The kind of processor a <see cref="Device"/> names; each kind has one backend factory in <see cref="Backends.BackendRegistry"/>.</summary>
public enum DeviceKind
{
    /// <summary>The host processor.</summary>
    Cpu,

    /// <summary>An NVIDIA GPU through the CUDA backend.</summary>
    Cuda,
}

/// <summary>Where a tensor's storage lives: <c>cpu</c> or <c>cuda:N</c>.</summary>
public readonly record struct Device(DeviceKind Kind, int Index = 0)
{
    /// <summary>The process's CPU (<c>cpu</c>), served by <see cref="Backends.Cpu.CpuBackend.Instance"/>.</summary>
    public static Device Cpu { get; } = new(DeviceKind.Cpu, 0);
    /// <summary>GPU <paramref name="index"/> (<c>cuda:N</c>); its backend must be registered (DeepImpression.Cuda's <c>CudaBackend.Register</c>).</summary>
    public static Device Cuda(int index = 0) => new(DeviceKind.Cuda, index);

    /// <summary>Parses <c>cpu</c>, <c>cuda</c> or <c>cuda:N</c>.</summary>
    public static Device Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var t = text.Trim().ToLowerInvariant();
        if (t == "cpu") return Cpu;
        if (t == "cuda" || t == "gpu") return Cuda(0);
        if (t.StartsWith("cuda:", StringComparison.Ordinal) && int.TryParse(t.AsSpan(5), out var i) && i >= 0) return Cuda(i);
        throw new FormatException($"'{text}' is not a device: use cpu, cuda or cuda:N.");
    }

    /// <summary>The form <see cref="Parse"/> reads back: <c>cpu</c>, <c>cpu:N</c> or <c>cuda:N</c>.</summary>
    public override string ToString() => Kind == DeviceKind.Cpu ? Index == 0 ? "cpu" : $"cpu:{Index}" : $"cuda:{Index}";
}
