using System.Globalization;
using System.Text;
using System.Text.Json;
using DeepImpression.Core;

namespace DeepImpression.Train.Data.Decoding;

/// <summary>Reads a media file's streams and durations with ffprobe.</summary>
public static class MediaProbe
{
    // ffprobe's answer is a few hundred bytes; anything far larger is not an answer to this question.
    private const int MaxOutputChars = 1 << 20;

    /// <summary>Probes <paramref name="path"/>, which must be a regular file (see <see cref="ExternalTool.InputFile"/>).</summary>
    /// <param name="path">The video file.</param>
    /// <param name="cancellation">Kills ffprobe.</param>
    /// <param name="stallTimeout">How long ffprobe may make no progress (default <see cref="ExternalTool.DefaultStallTimeout"/>).</param>
    public static MediaInfo Probe(string path, CancellationToken cancellation = default, TimeSpan? stallTimeout = null)
    {
        string input = ExternalTool.InputFile(path);
        string json = "";
        var run = ExternalTool.Run(ExternalTool.Ffprobe,
            ["-v", "error", "-show_entries",
             "stream=codec_type,codec_name,width,height,nb_frames,duration,avg_frame_rate,sample_rate:format=duration",
             "-of", "json", "-i", input],
            readStdout: s => json = ReadBounded(s),
            cancellation: cancellation, stallTimeout: stallTimeout);
        if (!run.Succeeded) throw new InvalidInputException($"{path}: unreadable or corrupt video ({run.LastStderrLine}).");
        return Parse(path, json);
    }

    private static string ReadBounded(Stream stream)
    {
        var text = new StringBuilder();
        var reader = new StreamReader(stream, Encoding.UTF8);
        var buffer = new char[4096];
        int n;
        while (text.Length < MaxOutputChars && (n = reader.Read(buffer, 0, buffer.Length)) > 0) text.Append(buffer, 0, n);
        return text.ToString();
    }

    private static MediaInfo Parse(string path, string json)
    {
        using var doc = JsonInput.Parse(json, $"{path}: ffprobe's answer");
        var root = doc.RootElement;
        JsonElement? video = null, audio = null;
        if (root.TryGetProperty("streams", out var streams))
        {
            foreach (var s in streams.EnumerateArray())
            {
                var type = Text(s, "codec_type");
                if (type == "video" && video is null) video = s;
                else if (type == "audio" && audio is null) audio = s;
            }
        }
        double duration = Number(root.TryGetProperty("format", out var format) ? format : default, "duration") ?? 0;
        double fps = 0;
        if (video is { } v && Text(v, "avg_frame_rate") is { } rate)
        {
            var parts = rate.Split('/');
            if (parts.Length == 2 && double.TryParse(parts[0], CultureInfo.InvariantCulture, out var num)
                && double.TryParse(parts[1], CultureInfo.InvariantCulture, out var den) && den > 0)
                fps = num / den;
        }
        return new MediaInfo(
            path,
            HasVideo: video is not null,
            HasAudio: audio is not null,
            Width: video is { } v1 ? (int)(Number(v1, "width") ?? 0) : 0,
            Height: video is { } v2 ? (int)(Number(v2, "height") ?? 0) : 0,
            FramesPerSecond: fps,
            VideoFrameCount: video is { } v3 && Number(v3, "nb_frames") is { } n && n > 0 ? (int)n : null,
            DurationSeconds: duration,
            AudioDurationSeconds: audio is { } a1 ? Number(a1, "duration") : null,
            AudioSampleRate: audio is { } a2 && Number(a2, "sample_rate") is { } sr ? (int)sr : null,
            VideoCodec: video is { } v4 ? Text(v4, "codec_name") : null,
            AudioCodec: audio is { } a3 ? Text(a3, "codec_name") : null);
    }

    private static string? Text(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;

    // ffprobe writes numbers sometimes as JSON numbers and sometimes as strings.
    private static double? Number(JsonElement e, string name)
    {
        if (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty(name, out var p)) return null;
        if (p.ValueKind == JsonValueKind.Number) return p.GetDouble();
        if (p.ValueKind == JsonValueKind.String && double.TryParse(p.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d)) return d;
        return null;
    }
}
