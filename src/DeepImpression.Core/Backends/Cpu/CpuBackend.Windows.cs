using DeepImpression.Core.Tensors;

namespace DeepImpression.Core.Backends.Cpu;

public sealed partial class CpuBackend
{
    /// <summary>The host semantics directly on the tensors' arrays (copies of short rows; no kernel needed).</summary>
    public void CopyWindows(Tensor x, Tensor y, IReadOnlyList<WindowCopy> windows, float outsideValue) =>
        WindowCopy.ApplyOnHost(Data(x), x.Shape, Data(y), y.Shape, windows, outsideValue);
}
