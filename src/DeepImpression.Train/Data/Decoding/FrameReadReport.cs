using System.Globalization;

namespace DeepImpression.Train.Data.Decoding;

/// <summary>Which frames of a video the test-time procedure read: how many ffmpeg decoded, how many were used, and,
/// when only some were picked, their indices among the decoded ones.</summary>
public sealed record FrameReadReport(int Decoded, int Used, IReadOnlyList<int>? Indices, FrameSelection Selection)
{
    /// <summary>For people: "all 105 frames", "4 of 105 frames (13, 39, 65, 91)", "150 frames at 5 fps".</summary>
    public override string ToString()
    {
        string rate = Selection.Fps is { } f ? string.Create(CultureInfo.InvariantCulture, $" at {f:R} fps") : "";
        if (Indices is null) return $"all {Decoded} frames{rate}";
        string list = Indices.Count <= 8
            ? string.Join(", ", Indices)
            : string.Join(", ", Indices.Take(4)) + ", ..., " + string.Join(", ", Indices.TakeLast(2));
        return $"{Used} of {Decoded} frames{rate} ({list})";
    }
}
