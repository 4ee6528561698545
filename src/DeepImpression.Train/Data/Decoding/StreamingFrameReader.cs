using System.Globalization;
using DeepImpression.Core;

namespace DeepImpression.Train.Data.Decoding;

/// <summary>
/// The frames of a video decoded by ffmpeg and resized to <see cref="Size"/> (as <see cref="ClipDecoder"/> decodes
/// them), handed to the caller in chunks of up to <see cref="ChunkFrames"/> frames, planar float pixels (count x 3 x
/// H x W, raw values 0..255), while ffmpeg decodes: memory holds a few chunks whatever the clip's length.
/// </summary>
internal sealed class StreamingFrameReader
{
    public StreamingFrameReader(FrameSize size, FrameSelection? selection = null, int chunkFrames = 32)
    {
        if (chunkFrames < 1) throw new ArgumentOutOfRangeException(nameof(chunkFrames), "a chunk holds at least one frame.");
        Size = size;
        Selection = (selection ?? FrameSelection.All).Validated();
        ChunkFrames = chunkFrames;
    }

    public FrameSize Size { get; }
    public FrameSelection Selection { get; }
    public int ChunkFrames { get; }

    /// <summary>
    /// Decodes the frames of <paramref name="info"/>'s file and calls <paramref name="consume"/> with each chunk (the
    /// frames, and how many there are) in order. A file whose video cannot be read, or ends well before the length it
    /// declares, throws <see cref="InvalidInputException"/> naming it (after its chunks were consumed).
    /// </summary>
    public FrameReadReport Read(MediaInfo info, Action<ReadOnlySpan<float>, int> consume, CancellationToken cancellation = default)
    {
        if (!info.HasVideo) throw new InvalidInputException($"{info.Path}: no video track.");
        var (expected, picked) = Selection.Plan(info);
        string scale = string.Create(CultureInfo.InvariantCulture, $"scale={Size.Width}:{Size.Height}");
        string filter = Selection.RateFilter is { } rate ? $"{rate},{scale}" : scale;
        int frameBytes = Size.BytesPerFrame, plane = Size.Width * Size.Height;
        var chunk = new float[(long)ChunkFrames * frameBytes];
        var used = picked is null ? null : new List<int>(picked.Length);
        int decoded = 0, count = 0, inChunk = 0, next = 0;

        using (var output = new ToolOutputStream(ExternalTool.Ffmpeg,
                   ["-nostdin", "-v", "error", "-threads", "1", "-i", FfmpegInput.Path(info.Path), "-map", "0:v:0", "-an", "-vf", filter,
                    "-vsync", "passthrough", "-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1"],
                   frameBytes, blocksAhead: 2 * ChunkFrames, cancellation))
        {
            while (output.Next(out var frame))
            {
                if (frame.Length < frameBytes) break; // a torn last frame of a cut-off stream
                int index = decoded++;
                if (picked is not null)
                {
                    if (next >= picked.Length || picked[next] != index) continue;
                    next++;
                    used!.Add(index);
                }
                ToPlanar(frame, chunk.AsSpan(inChunk * frameBytes, frameBytes), plane);
                count++;
                if (++inChunk == ChunkFrames)
                {
                    consume(chunk, inChunk);
                    inChunk = 0;
                }
            }
            if (inChunk > 0) consume(chunk.AsSpan(0, inChunk * frameBytes), inChunk);
            var run = output.Finish();
            if (!run.Succeeded) throw new InvalidInputException($"{info.Path}: unreadable or corrupt video ({run.LastStderrLine}).");
            if (count == 0) throw new InvalidInputException($"{info.Path}: no frame could be decoded{(run.Stderr.Trim().Length == 0 ? "" : $" ({run.LastStderrLine})")}.");
            if (expected > 0 && decoded < FfmpegInput.TruncationTolerance * expected)
                throw new InvalidInputException($"{info.Path}: truncated or corrupt video: decoded {decoded} of the {expected} frames expected.");
        }
        return new FrameReadReport(decoded, count, used, Selection);
    }

    /// <summary>One rgb24 frame (H x W x 3 interleaved) as planar 3 x H x W floats.</summary>
    private static void ToPlanar(ReadOnlySpan<byte> rgb, Span<float> planar, int plane)
    {
        var r = planar[..plane];
        var g = planar.Slice(plane, plane);
        var b = planar.Slice(2 * plane, plane);
        for (int i = 0, j = 0; i < plane; i++, j += 3)
        {
            r[i] = rgb[j];
            g[i] = rgb[j + 1];
            b[i] = rgb[j + 2];
        }
    }
}
