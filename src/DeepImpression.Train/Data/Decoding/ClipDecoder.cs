using System.Globalization;
using System.Runtime.InteropServices;
using DeepImpression.Core;

namespace DeepImpression.Train.Data.Decoding;

/// <summary>
/// Decodes a video file with ffmpeg: the first audio track to 16 kHz mono float32, and frames resized to
/// <see cref="FrameSize"/> (456 x 256 unless a test asks for less) as RGB. Every problem with the file becomes one
/// <see cref="InvalidInputException"/> naming the file: missing, no audio or video track, audio shorter than one
/// training window, unreadable, corrupt or truncated.
/// </summary>
public sealed class ClipDecoder
{
    // A decode that ends this much short of the length the container declares means the file was cut off.
    private const double TruncationTolerance = 0.9;

    /// <param name="frameSize">Frame size of the decoded frames (default 456 x 256).</param>
    /// <param name="minimumAudioSamples">Audio shorter than this is rejected.</param>
    /// <param name="stallTimeout">How long ffmpeg may make no progress before it is stopped (default <see cref="ExternalTool.DefaultStallTimeout"/>).</param>
    public ClipDecoder(FrameSize? frameSize = null, int minimumAudioSamples = ClipFormat.TrainingAudioSamples, TimeSpan? stallTimeout = null)
    {
        FrameSize = frameSize ?? FrameSize.Network;
        MinimumAudioSamples = minimumAudioSamples;
        StallTimeout = stallTimeout ?? ExternalTool.DefaultStallTimeout;
    }

    /// <summary>The size frames are scaled to.</summary>
    public FrameSize FrameSize { get; }

    /// <summary>Audio shorter than this is rejected (default: one training window, 50,176 samples).</summary>
    public int MinimumAudioSamples { get; }

    /// <summary>How long ffprobe or ffmpeg may make no progress before it is stopped and the file refused.</summary>
    public TimeSpan StallTimeout { get; }

    /// <summary>Audio and <paramref name="frameCount"/> evenly spaced frames (all frames when null).</summary>
    public DecodedClip Decode(string path, int? frameCount, CancellationToken cancellation = default)
    {
        var info = Probe(path, cancellation);
        var audio = DecodeAudio(info, cancellation);
        var (frames, count, indices) = DecodeFrames(info, frameCount, cancellation);
        return new DecodedClip(path, audio, frames, count, FrameSize, indices);
    }

    /// <summary>The whole first audio track as 16 kHz mono samples in [-1, 1].</summary>
    public float[] DecodeAudio(string path, CancellationToken cancellation = default) => DecodeAudio(Probe(path, cancellation), cancellation);

    /// <summary><paramref name="frameCount"/> evenly spaced frames (all when null), each 3 x H x W RGB bytes.</summary>
    public DecodedClip DecodeFrames(string path, int? frameCount, CancellationToken cancellation = default)
    {
        var info = Probe(path, cancellation);
        var (frames, count, indices) = DecodeFrames(info, frameCount, cancellation);
        return new DecodedClip(path, [], frames, count, FrameSize, indices);
    }

    /// <summary>The video frame indices that <see cref="Decode"/> would return for <paramref name="frameCount"/> (all
    /// frames when null), from the container's frame count, without decoding (a file that stops early gives fewer).</summary>
    public static IReadOnlyList<int> PlannedFrames(string path, int? frameCount, CancellationToken cancellation = default)
    {
        int total = TotalFrames(MediaProbe.Probe(path, cancellation));
        return frameCount is { } k ? EvenlySpacedFrames(total, k) : [.. Enumerable.Range(0, total)];
    }

    private static int TotalFrames(MediaInfo info) => info.VideoFrameCount ?? (int)Math.Round(info.DurationSeconds * info.FramesPerSecond);

    /// <summary>Indices of <paramref name="wanted"/> frames spread evenly over <paramref name="total"/>, each at the middle of its stretch.</summary>
    public static int[] EvenlySpacedFrames(int total, int wanted)
    {
        if (total <= 0) return [];
        if (wanted >= total) return Enumerable.Range(0, total).ToArray();
        var indices = new int[wanted];
        for (int i = 0; i < wanted; i++) indices[i] = (int)((i + 0.5) * total / wanted);
        return indices;
    }

    private MediaInfo Probe(string path, CancellationToken cancellation)
    {
        var info = MediaProbe.Probe(path, cancellation, StallTimeout);
        if (!info.HasVideo) throw new InvalidInputException($"{path}: no video track.");
        if (!info.HasAudio) throw new InvalidInputException($"{path}: no audio track.");
        return info;
    }

    private float[] DecodeAudio(MediaInfo info, CancellationToken cancellation)
    {
        var (bytes, length) = (Array.Empty<byte>(), 0);
        int expected = (int)Math.Min(int.MaxValue / 8, (info.AudioDurationSeconds ?? info.DurationSeconds) * ClipFormat.SampleRate * sizeof(float));
        var run = ExternalTool.Run(ExternalTool.Ffmpeg,
            ["-nostdin", "-v", "error", "-threads", "1", "-i", ExternalTool.InputFile(info.Path), "-map", "0:a:0", "-vn",
             "-ac", "1", "-ar", ClipFormat.SampleRate.ToString(CultureInfo.InvariantCulture), "-f", "f32le", "pipe:1"],
            readStdout: s => (bytes, length) = ReadAll(s, expected + 65536, info.Path),
            cancellation: cancellation, stallTimeout: StallTimeout);
        if (!run.Succeeded) throw new InvalidInputException($"{info.Path}: unreadable or corrupt audio ({run.LastStderrLine}).");

        var audio = new float[length / sizeof(float)];
        MemoryMarshal.Cast<byte, float>(bytes.AsSpan(0, audio.Length * sizeof(float))).CopyTo(audio);
        // AAC decoding can overshoot full scale a little; the network expects [-1, 1].
        for (int i = 0; i < audio.Length; i++)
        {
            float v = audio[i];
            audio[i] = float.IsNaN(v) ? 0f : Math.Clamp(v, -1f, 1f);
        }

        double seconds = audio.Length / (double)ClipFormat.SampleRate;
        double declared = info.AudioDurationSeconds ?? info.DurationSeconds;
        if (declared > 0 && seconds < TruncationTolerance * declared - 0.1)
            throw new InvalidInputException(string.Create(CultureInfo.InvariantCulture,
                $"{info.Path}: truncated or corrupt audio: decoded {seconds:0.00} s of the {declared:0.00} s the file declares{Detail(run)}."));
        if (audio.Length < MinimumAudioSamples)
            throw new InvalidInputException(string.Create(CultureInfo.InvariantCulture,
                $"{info.Path}: audio too short: {audio.Length:N0} samples ({seconds:0.00} s) at 16 kHz, fewer than the {MinimumAudioSamples:N0} samples a training example needs."));
        return audio;
    }

    private (byte[] Frames, int Count, int[]? Indices) DecodeFrames(MediaInfo info, int? wanted, CancellationToken cancellation)
    {
        if (wanted is <= 0) throw new ArgumentOutOfRangeException(nameof(wanted), "Ask for at least one frame.");
        int total = TotalFrames(info);
        string scale = string.Create(CultureInfo.InvariantCulture, $"scale={FrameSize.Width}:{FrameSize.Height}");
        string filter;
        int expectedFrames;
        int[]? indices = null;
        if (wanted is { } k && total > 0)
        {
            indices = EvenlySpacedFrames(total, k);
            filter = $"select='{string.Join('+', indices.Select(i => string.Create(CultureInfo.InvariantCulture, $"eq(n,{i})")))}',{scale}";
            expectedFrames = indices.Length;
        }
        else
        {
            filter = scale;
            expectedFrames = Math.Max(total, 1);
        }

        int frameBytes = FrameSize.BytesPerFrame;
        var (bytes, length) = (Array.Empty<byte>(), 0);
        var run = ExternalTool.Run(ExternalTool.Ffmpeg,
            ["-nostdin", "-v", "error", "-threads", "1", "-i", ExternalTool.InputFile(info.Path), "-map", "0:v:0", "-an", "-vf", filter,
             "-vsync", "passthrough", "-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1"],
            readStdout: s => (bytes, length) = ReadAll(s, expectedFrames * frameBytes, info.Path),
            cancellation: cancellation, stallTimeout: StallTimeout);
        if (!run.Succeeded) throw new InvalidInputException($"{info.Path}: unreadable or corrupt video ({run.LastStderrLine}).");

        int count = length / frameBytes;
        if (wanted is { } limit && count > limit) count = limit;
        if (count == 0) throw new InvalidInputException($"{info.Path}: no frame could be decoded{Detail(run)}.");
        if (total > 0 && count < TruncationTolerance * expectedFrames)
            throw new InvalidInputException($"{info.Path}: truncated or corrupt video: decoded {count} of the {expectedFrames} frames expected{Detail(run)}.");
        // Frames past the end of a selection that ffmpeg did not deliver are cut off above, so the first count indices hold.
        return (ToPlanar(bytes, count, FrameSize), count, indices?[..count]);
    }

    private static string Detail(ToolRun run) => run.Stderr.Trim().Length == 0 ? "" : $" ({run.LastStderrLine})";

    /// <summary>rgb24 (H x W x 3 interleaved) frames to planar 3 x H x W, so that a crop row is one contiguous run.</summary>
    internal static byte[] ToPlanar(byte[] interleaved, int frameCount, FrameSize size)
    {
        int plane = size.Width * size.Height;
        var planar = new byte[(long)frameCount * 3 * plane];
        for (int f = 0; f < frameCount; f++)
        {
            var src = interleaved.AsSpan(f * 3 * plane, 3 * plane);
            var r = planar.AsSpan(f * 3 * plane, plane);
            var g = planar.AsSpan(f * 3 * plane + plane, plane);
            var b = planar.AsSpan(f * 3 * plane + 2 * plane, plane);
            for (int i = 0, j = 0; i < plane; i++, j += 3)
            {
                r[i] = src[j];
                g[i] = src[j + 1];
                b[i] = src[j + 2];
            }
        }
        return planar;
    }

    private static (byte[] Buffer, int Length) ReadAll(Stream stream, int capacityHint, string path)
    {
        var buffer = new byte[Math.Max(capacityHint, 4096)];
        int length = 0;
        while (true)
        {
            if (length == buffer.Length)
            {
                if (buffer.Length >= Array.MaxLength / 2) throw new InvalidInputException($"{path}: decoded output is larger than 1 GiB; ask for fewer frames.");
                Array.Resize(ref buffer, buffer.Length * 2);
            }
            int n = stream.Read(buffer, length, buffer.Length - length);
            if (n == 0) return (buffer, length);
            length += n;
        }
    }
}
