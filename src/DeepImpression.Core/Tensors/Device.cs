namespace DeepImpression.Core.Tensors;

public enum DeviceKind { Cpu, Cuda }

/// <summary>Where a tensor's storage lives: <c>cpu</c> or <c>cuda:N</c>.</summary>
public readonly record struct Device(DeviceKind Kind, int Index = 0)
{
    public static Device Cpu { get; } = new(DeviceKind.Cpu, 0);
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

    public override string ToString() => Kind == DeviceKind.Cpu ? Index == 0 ? "cpu" : $"cpu:{Index}" : $"cuda:{Index}";
}
