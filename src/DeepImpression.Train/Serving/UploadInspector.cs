using System.Globalization;
using DeepImpression.Core;
using DeepImpression.Train.Data.Decoding;
using Microsoft.AspNetCore.Http;

namespace DeepImpression.Train.Serving;

/// <summary>What the inspection found out about an accepted upload.</summary>
/// <param name="Seconds">Length of the media: the longer of its video and sound.</param>
/// <param name="VideoCodec">ffprobe's name of the video codec.</param>
/// <param name="AudioCodec">ffprobe's name of the audio codec.</param>
internal sealed record MediaSummary(double Seconds, string? VideoCodec, string? AudioCodec);

/// <summary>
/// Decides from the content, probed with ffprobe (never from the file name or the MIME type the client sent), whether
/// an upload is a clip the model can analyse: a video track of more than one frame, a sound track at least
/// <see cref="MediaLimits.MinimumSeconds"/> long, and no more than the limits. Every refusal is a
/// <see cref="RequestRejectedException"/> with a message for the person who sent it.
/// </summary>
internal static class UploadInspector
{
    /// <summary>Checks the file at <paramref name="path"/>; returns what it holds.</summary>
    public static MediaSummary Inspect(string path, MediaLimits limits, CancellationToken cancellation)
    {
        MediaInfo info;
        try
        {
            info = MediaProbe.Probe(path, cancellation);
        }
        catch (InvalidInputException)
        {
            throw Unsupported("This file is not a video that ffmpeg can read. Record with the page, or upload a video file (webm, mp4, mov, ...).");
        }
        if (!info.HasVideo) throw Unsupported("This file has no picture (is it a sound file?). Upload a video of someone speaking.");

        var video = Measure(path, "v:0", cancellation);
        if (video.Packets <= 1) throw Unsupported("This file is a still image, not a video. Upload a video of someone speaking.");
        if (!info.HasAudio)
            throw Unprocessable("This video has no sound. The model listens as well as watches: record with the microphone on, or upload a clip with sound.");
        var audio = Measure(path, "a:0", cancellation);

        double seconds = Math.Max(video.Seconds, audio.Seconds);
        if (seconds > limits.MaxSeconds)
            throw Unprocessable(Invariant($"This clip is {seconds:0.#} s long; the limit is {limits.MaxSeconds:0.#} s. Upload a shorter clip (about 15 s is what the model was trained on)."));
        if (video.Packets > limits.MaxFramesPerSecond * Math.Max(seconds, 1))
            throw Unprocessable(Invariant($"This video has {video.Packets} frames in {seconds:0.#} s, more than {limits.MaxFramesPerSecond:0} per second."));
        if (audio.Seconds < MediaLimits.MinimumSeconds)
            throw Unprocessable(Invariant($"This clip's sound lasts {audio.Seconds:0.0} s; the model needs at least {MediaLimits.MinimumSeconds:0.0} s. Record a little longer (about 15 s is best)."));
        return new MediaSummary(seconds, info.VideoCodec, info.AudioCodec);
    }

    private static StreamExtent Measure(string path, string selector, CancellationToken cancellation)
    {
        try
        {
            return StreamExtent.Measure(path, selector, cancellation);
        }
        catch (InvalidInputException)
        {
            throw Unprocessable("This file could not be read to its end; it may be cut short or corrupt.");
        }
    }

    private static RequestRejectedException Unsupported(string message) => new(StatusCodes.Status415UnsupportedMediaType, message);

    private static RequestRejectedException Unprocessable(string message) => new(StatusCodes.Status422UnprocessableEntity, message);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
