using System.Text.Json;
using System.Text.Json.Serialization;
using DeepImpression.Core;
using DeepImpression.Core.Serialization;
using DeepImpression.Train.Data.Decoding;

namespace DeepImpression.Train.Data.Cache;

/// <summary>
/// <c>cache.json</c>: what every clip of a cache shares. Written once, when the cache is created; a later
/// <c>prepare</c> into the same folder must ask for the same frame size and frame count.
/// </summary>
public sealed record ClipCacheHeader(
    [property: JsonPropertyName("format")] string Format,
    [property: JsonPropertyName("version")] int Version,
    [property: JsonPropertyName("sampleRate")] int SampleRate,
    [property: JsonPropertyName("frameWidth")] int FrameWidth,
    [property: JsonPropertyName("frameHeight")] int FrameHeight,
    [property: JsonPropertyName("framesPerClip")] int FramesPerClip)
{
    internal const string FormatName = "deepimpression-clip-cache";
    internal const int CurrentVersion = 1;

    /// <summary>The size of every stored frame.</summary>
    [JsonIgnore]
    public FrameSize FrameSize => new(FrameWidth, FrameHeight);

    private static readonly JsonSerializerOptions Json = JsonInput.Bounded(new JsonSerializerOptions { RespectNullableAnnotations = true });

    internal static ClipCacheHeader Create(FrameSize size, int framesPerClip) =>
        new(FormatName, CurrentVersion, ClipFormat.SampleRate, size.Width, size.Height, framesPerClip);

    internal static ClipCacheHeader Read(string path)
    {
        var header = JsonInput.Deserialize<ClipCacheHeader>(File.ReadAllBytes(path), path, Json);
        if (header.Format != FormatName)
            throw new InvalidInputException($"{path}: not a DeepImpression clip cache header (format '{header.Format}').");
        if (header.Version != CurrentVersion)
            throw new InvalidInputException($"{path}: clip cache version {header.Version}; this program reads version {CurrentVersion}. Prepare the cache again.");
        if (header.SampleRate != ClipFormat.SampleRate || header.FrameWidth <= 0 || header.FrameHeight <= 0 || header.FramesPerClip <= 0)
            throw new InvalidInputException($"{path}: impossible cache header (sample rate {header.SampleRate}, frames {header.FrameWidth}x{header.FrameHeight}, {header.FramesPerClip} per clip).");
        return header;
    }

    internal void Write(string path) => AtomicFile.WriteText(path, w => w.Write(JsonSerializer.Serialize(this, new JsonSerializerOptions { WriteIndented = true }) + "\n"));
}
