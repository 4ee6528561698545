using DeepImpression.Core.Tensors;

namespace DeepImpression.Core.Backends;

/// <summary>
/// One rectangle copied, across all channels, from image <see cref="SourceImage"/> of an (N,C,H,W) tensor to image
/// <see cref="DestinationImage"/> of another: <see cref="Height"/> x <see cref="Width"/> cells whose top-left corners
/// are (<see cref="SourceY"/>, <see cref="SourceX"/>) and (<see cref="DestinationY"/>, <see cref="DestinationX"/>).
/// Corners may lie outside either tensor (see <see cref="IBackend.CopyWindows"/>): that is how a window carries a
/// layer's padding with it.
/// </summary>
public readonly record struct WindowCopy(
    int SourceImage, int SourceY, int SourceX, int DestinationImage, int DestinationY, int DestinationX, int Height, int Width)
{
    /// <summary>Integers per window in the packed form a device kernel reads (<see cref="Pack"/>).</summary>
    public const int PackedLength = 8;

    /// <summary>The windows as consecutive groups of <see cref="PackedLength"/> integers, in declaration order.</summary>
    public static int[] Pack(IReadOnlyList<WindowCopy> windows)
    {
        var packed = new int[windows.Count * PackedLength];
        for (int i = 0; i < windows.Count; i++)
        {
            var w = windows[i];
            int o = i * PackedLength;
            (packed[o], packed[o + 1], packed[o + 2], packed[o + 3]) = (w.SourceImage, w.SourceY, w.SourceX, w.DestinationImage);
            (packed[o + 4], packed[o + 5], packed[o + 6], packed[o + 7]) = (w.DestinationY, w.DestinationX, w.Height, w.Width);
        }
        return packed;
    }

    /// <summary>
    /// <see cref="IBackend.CopyWindows"/> on host arrays holding tensors of shapes <paramref name="xShape"/> and
    /// <paramref name="yShape"/>: the reference semantics, and the CPU backend's implementation.
    /// </summary>
    public static void ApplyOnHost(ReadOnlySpan<float> x, Shape xShape, Span<float> y, Shape yShape, IReadOnlyList<WindowCopy> windows, float outsideValue)
    {
        int channels = xShape[1], xh = xShape[2], xw = xShape[3], yh = yShape[2], yw = yShape[3];
        foreach (var w in windows)
        {
            // Destination rows and columns that exist; source cells beyond x read as outsideValue.
            int r0 = Math.Max(0, -w.DestinationY), r1 = Math.Min(w.Height, yh - w.DestinationY);
            int q0 = Math.Max(0, -w.DestinationX), q1 = Math.Min(w.Width, yw - w.DestinationX);
            if (r0 >= r1 || q0 >= q1) continue;
            // Columns of the window whose source lies inside x.
            int inside0 = Math.Clamp(-w.SourceX, q0, q1), inside1 = Math.Clamp(xw - w.SourceX, inside0, q1);
            for (int c = 0; c < channels; c++)
            {
                long xPlane = ((long)w.SourceImage * channels + c) * xh * xw;
                long yPlane = ((long)w.DestinationImage * channels + c) * yh * yw;
                for (int r = r0; r < r1; r++)
                {
                    // Columns q0..q1 of the window's row r in y.
                    var row = y.Slice((int)(yPlane + (long)(w.DestinationY + r) * yw + w.DestinationX + q0), q1 - q0);
                    int sy = w.SourceY + r;
                    if (sy < 0 || sy >= xh)
                    {
                        row.Fill(outsideValue);
                        continue;
                    }
                    row[..(inside0 - q0)].Fill(outsideValue);
                    x.Slice((int)(xPlane + (long)sy * xw + w.SourceX + inside0), inside1 - inside0).CopyTo(row[(inside0 - q0)..(inside1 - q0)]);
                    row[(inside1 - q0)..].Fill(outsideValue);
                }
            }
        }
    }
}
