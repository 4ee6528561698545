using DeepImpression.Core.Autograd;
using DeepImpression.Core.Backends;
using DeepImpression.Core.Ops;
using DeepImpression.Core.Tensors;
using static DeepImpression.Core.Tests.Backends.BackendTestKit;

namespace DeepImpression.Core.Tests.Backends;

public sealed class WindowCopyTests
{
    [Test]
    public void CopiesMatchACellByCellReferenceWithPaddingAndClipping()
    {
        const int n = 2, c = 3, h = 5, w = 7, m = 3, ph = 4, pw = 6;
        var x = Uniform(n * c * h * w, seed: 11);
        var y0 = Uniform(m * c * ph * pw, seed: 12);
        WindowCopy[] windows =
        [
            new(0, -2, -1, 0, 0, 0, 4, 6),   // hangs over the top-left: padding comes in
            new(1, 3, 4, 1, 0, 0, 4, 6),     // hangs over the bottom-right
            new(1, 1, 2, 2, -1, 3, 3, 5),    // lands partly outside the destination: those cells are skipped
        ];
        using var xt = T(x, n, c, h, w);
        using var yt = T(y0, m, c, ph, pw);
        Op.CopyWindows(xt, yt, windows, outsideValue: -7f);

        var expected = (float[])y0.Clone();
        foreach (var win in windows)
            for (int ch = 0; ch < c; ch++)
                for (int r = 0; r < win.Height; r++)
                    for (int q = 0; q < win.Width; q++)
                    {
                        int dy = win.DestinationY + r, dx = win.DestinationX + q, sy = win.SourceY + r, sx = win.SourceX + q;
                        if (dy < 0 || dy >= ph || dx < 0 || dx >= pw) continue;
                        bool inside = sy >= 0 && sy < h && sx >= 0 && sx < w;
                        expected[((win.DestinationImage * c + ch) * ph + dy) * pw + dx] =
                            inside ? x[((win.SourceImage * c + ch) * h + sy) * w + sx] : -7f;
                    }
        Assert.That(yt.ToArray(), Is.EqualTo(expected));
    }

    [Test]
    public void MaxPoolingOverAPatchPaddedWithMinusInfinityEqualsTheFullCoverAllPool()
    {
        // The use the primitive exists for: a window's padding travels with the crop, so the layer runs unpadded.
        const int c = 2, h = 9, w = 11;
        var geometry = new PoolingGeometry(3, 3, 2, 2, 1, 1, CoverAll: true);
        using var x = T(Uniform(c * h * w, seed: 5, low: -3, high: 3), 1, c, h, w);
        using var full = Op.MaxPool2d(x, geometry);
        var (oh, ow) = geometry.OutputShape(h, w);
        // The whole output, from one crop covering every window: rows -1 .. (oh-1)*2+1.
        int ch = (oh - 1) * 2 + 3, cw = (ow - 1) * 2 + 3;
        using var patch = Tensor.Empty(new Shape(1, c, ch, cw));
        Op.CopyWindows(x, patch, [new WindowCopy(0, -1, -1, 0, 0, 0, ch, cw)], float.NegativeInfinity);
        using var pooled = Op.MaxPool2d(patch, geometry with { PadH = 0, PadW = 0, CoverAll = false });
        Assert.That(pooled.Shape, Is.EqualTo(full.Shape));
        Assert.That(pooled.ToArray(), Is.EqualTo(full.ToArray()));
    }

    [Test]
    public void RefusesMismatchedChannelsImagesOutOfRangeAndRecording()
    {
        using var x = Tensor.Zeros(new Shape(1, 2, 3, 3));
        using var y = Tensor.Zeros(new Shape(1, 3, 3, 3));
        Assert.Throws<ArgumentException>(() => Op.CopyWindows(x, y, [new WindowCopy(0, 0, 0, 0, 0, 0, 1, 1)], 0));
        using var y2 = Tensor.Zeros(new Shape(1, 2, 3, 3));
        Assert.Throws<ArgumentException>(() => Op.CopyWindows(x, y2, [new WindowCopy(1, 0, 0, 0, 0, 0, 1, 1)], 0));
        using var leaf = Tensor.Zeros(new Shape(1, 2, 3, 3));
        leaf.RequiresGrad = true;
        Assert.Throws<InvalidOperationException>(() => Op.CopyWindows(leaf, y2, [new WindowCopy(0, 0, 0, 0, 0, 0, 1, 1)], 0));
        using (Backprop.NoGrad()) Op.CopyWindows(leaf, y2, [new WindowCopy(0, 0, 0, 0, 0, 0, 1, 1)], 0);
    }

    [Test]
    public void PackedTableHoldsEightIntegersPerWindowInOrder()
    {
        var packed = WindowCopy.Pack([new WindowCopy(1, 2, 3, 4, 5, 6, 7, 8), new WindowCopy(-1, -2, -3, -4, -5, -6, 0, 9)]);
        Assert.That(packed, Is.EqualTo(new[] { 1, 2, 3, 4, 5, 6, 7, 8, -1, -2, -3, -4, -5, -6, 0, 9 }));
    }
}
