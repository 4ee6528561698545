using System.Globalization;
using System.Runtime.InteropServices;
using DeepImpression.Core;

namespace DeepImpression.Train.Data.Decoding;

/// <summary>
/// The first audio track of a video decoded by ffmpeg to 16 kHz mono float32 in [-1, 1] (as <see cref="ClipDecoder"/>
/// decodes it), handed to the caller piece by piece while ffmpeg decodes, so that memory does not grow with the clip.
/// </summary>
internal static class StreamingAudioReader
{
    /// <summary>Samples per piece handed over (4 s).</summary>
    public const int PieceSamples = 65_536;

    /// <summary>
    /// Decodes the audio of <paramref name="info"/>'s file, calling <paramref name="consume"/> with each piece in
    /// order; returns the number of samples. A file whose audio cannot be read, or ends well before the length it
    /// declares, throws <see cref="InvalidInputException"/> naming it (after its pieces were consumed).
    /// </summary>
    public static long Read(MediaInfo info, Action<ReadOnlySpan<float>> consume, CancellationToken cancellation = default)
    {
        if (!info.HasAudio) throw new InvalidInputException($"{info.Path}: no audio track.");
        var samples = new float[PieceSamples];
        long total = 0;
        using var output = new ToolOutputStream(ExternalTool.Ffmpeg,
            ["-nostdin", "-v", "error", "-threads", "1", "-i", FfmpegInput.Path(info.Path), "-map", "0:a:0", "-vn",
             "-ac", "1", "-ar", ClipFormat.SampleRate.ToString(CultureInfo.InvariantCulture), "-f", "f32le", "pipe:1"],
            PieceSamples * sizeof(float), blocksAhead: 4, cancellation);
        while (output.Next(out var block))
        {
            var decoded = MemoryMarshal.Cast<byte, float>(block);
            for (int i = 0; i < decoded.Length; i++)
            {
                // AAC decoding can overshoot full scale a little; the network expects [-1, 1].
                float v = decoded[i];
                samples[i] = float.IsNaN(v) ? 0f : Math.Clamp(v, -1f, 1f);
            }
            consume(samples.AsSpan(0, decoded.Length));
            total += decoded.Length;
        }
        var run = output.Finish();
        if (!run.Succeeded) throw new InvalidInputException($"{info.Path}: unreadable or corrupt audio ({run.LastStderrLine}).");
        if (total == 0) throw new InvalidInputException($"{info.Path}: no audio could be decoded.");
        double seconds = total / (double)ClipFormat.SampleRate;
        double declared = info.AudioDurationSeconds ?? info.DurationSeconds;
        if (declared > 0 && seconds < FfmpegInput.TruncationTolerance * declared - 0.1)
            throw new InvalidInputException(string.Create(CultureInfo.InvariantCulture,
                $"{info.Path}: truncated or corrupt audio: decoded {seconds:0.00} s of the {declared:0.00} s the file declares ({run.LastStderrLine})."));
        return total;
    }
}
