using System.Runtime.InteropServices;
using DeepImpression.Core.Backends;
using DeepImpression.Core.Tensors;
using DeepImpression.Cuda.Kernels;

namespace DeepImpression.Cuda;

// Window copies (windows.cu): the crops and pastes of incremental occlusion inference, on the device.
public sealed partial class CudaBackend
{
    /// <inheritdoc />
    public void CopyWindows(Tensor x, Tensor y, IReadOnlyList<WindowCopy> windows, float outsideValue)
    {
        int maxHeight = 0, maxWidth = 0;
        foreach (var w in windows) (maxHeight, maxWidth) = (Math.Max(maxHeight, w.Height), Math.Max(maxWidth, w.Width));
        if (maxHeight == 0 || maxWidth == 0) return;
        // The window table travels as raw 32-bit words in a float buffer; the kernel reads them as ints.
        var packed = WindowCopy.Pack(windows);
        using var table = Tensor.FromArray(MemoryMarshal.Cast<int, float>(packed.AsSpan()), new Shape(packed.Length), Device);
        Launch(KernelCatalog.CopyWindows, (long)windows.Count * x.Dim(1) * maxHeight * maxWidth,
            P(Address(x)), P(Address(y)), P(Address(table)), I(windows.Count), I(x.Dim(1)), I(x.Dim(2)), I(x.Dim(3)),
            I(y.Dim(2)), I(y.Dim(3)), I(maxHeight), I(maxWidth), F(outsideValue));
    }
}
