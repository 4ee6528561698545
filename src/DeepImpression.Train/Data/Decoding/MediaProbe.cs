using System.Globalization;
using System.Text;
using System.Text.Json;
using DeepImpression.Core;

namespace DeepImpression.Train.Data.Decoding;

/// <summary>Reads a media file's streams and durations with ffprobe.</summary>
public static class MediaProbe
{
    public static MediaInfo Probe(string path, CancellationToken cancellation = default)
    {
        if (!File.Exists(path)) throw new InvalidInputException($"{path}: file not found.");
        string json = "";
        var run = ExternalTool.Run(ExternalTool.Ffprobe,
            ["-v", "error", "-show_entries",
             "stream=codec_type,codec_name,width,height,nb_frames,duration,avg_frame_rate,sample_rate:format=duration",
             "-of", "json", path],
            readStdout: s => json = new StreamReader(s, Encoding.UTF8).ReadToEnd(),
            cancellation: cancellation);
        if (!run.Succeeded) throw new InvalidInputException($"{path}: unreadable or corrupt video ({run.LastStderrLine}).");
        try
        {
            return Parse(path, json);
        }
        catch (JsonException e)
        {
            throw new InvalidInputException($"{path}: ffprobe gave output that is not JSON ({e.Message}).");
        }
    }

    private static MediaInfo Parse(string path, string json)
    {
        using var doc = JsonDocument.Parse(json);
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
