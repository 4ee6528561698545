using DeepImpression.Core.Autograd;
using DeepImpression.Core.Backends;
using DeepImpression.Core.Tensors;

namespace DeepImpression.Core.Ops;

public static partial class Op
{
    /// <summary>
    /// Copies rectangles of every channel from <paramref name="x"/> into <paramref name="y"/> (both (N,C,H,W), same C),
    /// in place; source cells outside x read as <paramref name="outsideValue"/>, destination cells outside y are
    /// skipped (see <see cref="IBackend.CopyWindows"/>). Not differentiable: for inference, such as occlusion's
    /// incremental forward, which crops each layer's input patch with its padding and pastes recomputed regions.
    /// </summary>
    public static void CopyWindows(Tensor x, Tensor y, IReadOnlyList<WindowCopy> windows, float outsideValue)
    {
        const string op = "CopyWindows";
        Check.Rank(op, "source", x, 4);
        Check.Rank(op, "destination", y, 4);
        Check.SameDevice(op, x, y);
        Check.That(x.Dim(1) == y.Dim(1), op, () => $"source {x.Shape} and destination {y.Shape} differ in channels.");
        if (Backprop.ShouldRecord([x, y]))
            throw new InvalidOperationException($"{op}: window copies have no gradient; run them under Backprop.NoGrad().");
        foreach (var w in windows)
        {
            Check.That(w.SourceImage >= 0 && w.SourceImage < x.Dim(0) && w.DestinationImage >= 0 && w.DestinationImage < y.Dim(0), op,
                () => $"{w} names an image outside source {x.Shape} or destination {y.Shape}.");
            Check.That(w.Height >= 0 && w.Width >= 0, op, () => $"{w} has a negative size.");
        }
        if (windows.Count > 0) x.Backend.CopyWindows(x, y, windows, outsideValue);
    }
}
