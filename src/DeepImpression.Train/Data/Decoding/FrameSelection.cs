using System.Globalization;
using DeepImpression.Core;

namespace DeepImpression.Train.Data.Decoding;

/// <summary>
/// Which frames of a video the test-time procedure reads: every frame (the original's procedure), optionally resampled
/// to <see cref="Fps"/> frames per second first, and at most <see cref="MaxFrames"/> of them, spread evenly over the clip
/// exactly as <c>prepare</c> picks a cache's frames (<see cref="ClipDecoder.EvenlySpacedFrames"/>), so that
/// <c>predict --frames K</c> reads the frames <c>evaluate</c> reads from a cache prepared with <c>--frames K</c>.
/// </summary>
public sealed record FrameSelection(double? Fps = null, int? MaxFrames = null)
{
    /// <summary>Every frame of the clip.</summary>
    public static FrameSelection All { get; } = new();

    /// <summary>Throws <see cref="InvalidInputException"/> naming the option when a value is out of range.</summary>
    public FrameSelection Validated()
    {
        if (Fps is { } f && !(f is > 0 and <= 240))
            throw new InvalidInputException(string.Create(CultureInfo.InvariantCulture, $"--fps {f}: must be above 0 and at most 240 frames per second."));
        if (MaxFrames is < 1 or > 1_000_000)
            throw new InvalidInputException($"--max-frames {MaxFrames}: must be from 1 to 1,000,000.");
        return this;
    }

    /// <summary>The ffmpeg filter that resamples the frame rate, if any (placed before the scaling).</summary>
    internal string? RateFilter => Fps is { } f ? string.Create(CultureInfo.InvariantCulture, $"fps={f:R}") : null;

    /// <summary>The frames ffmpeg is expected to give for <paramref name="info"/> before any are picked (the
    /// container's frame count, or duration x rate), and among them the indices to use (null: all).</summary>
    internal (int Expected, int[]? Picked) Plan(MediaInfo info)
    {
        int expected = Fps is { } f
            ? (int)Math.Round(info.DurationSeconds * f)
            : info.VideoFrameCount ?? (int)Math.Round(info.DurationSeconds * info.FramesPerSecond);
        return (expected, MaxFrames is { } k && expected > k ? ClipDecoder.EvenlySpacedFrames(expected, k) : null);
    }

    /// <summary>The selection as a phrase for logs (e.g. <c>every frame</c>, <c>resampled to 5 fps, at most 100 spread evenly</c>).</summary>
    public override string ToString() =>
        (Fps is { } f ? string.Create(CultureInfo.InvariantCulture, $"resampled to {f:R} fps") : "every frame")
        + (MaxFrames is { } k ? $", at most {k} spread evenly" : "");
}
