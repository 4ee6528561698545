using System.Text.Json.Serialization;

namespace DeepImpression.Train.Data.Cache;

/// <summary>
/// One line of <c>index.jsonl</c>: where a clip's data lies in the shard files, and its labels. Audio is
/// <see cref="AudioSamples"/> little-endian float32 values at <see cref="AudioOffset"/>; frames are
/// <see cref="FrameCount"/> planar RGB frames (3 x H x W bytes each) at <see cref="FramesOffset"/>, both in shard
/// <see cref="Shard"/> (<c>data-NNN.bin</c>).
/// </summary>
internal sealed record ClipCacheEntry
{
    [JsonPropertyName("clip")] public required string Clip { get; init; }
    [JsonPropertyName("split")] public required string Split { get; init; }
    [JsonPropertyName("shard")] public required int Shard { get; init; }
    [JsonPropertyName("audioOffset")] public required long AudioOffset { get; init; }
    [JsonPropertyName("audioSamples")] public required int AudioSamples { get; init; }
    [JsonPropertyName("framesOffset")] public required long FramesOffset { get; init; }
    [JsonPropertyName("frameCount")] public required int FrameCount { get; init; }

    /// <summary>The five traits in output order, or null when the clip's labels are unknown (e.g. test clips).</summary>
    [JsonPropertyName("targets")] public float[]? Targets { get; init; }

    [JsonPropertyName("interview")] public float? Interview { get; init; }

    /// <summary>The video file the clip was decoded from, for messages.</summary>
    [JsonPropertyName("source")] public string? Source { get; init; }

    /// <summary>First byte after this clip's data in its shard.</summary>
    public long End(int bytesPerFrame) => Math.Max(AudioOffset + (long)AudioSamples * sizeof(float), FramesOffset + (long)FrameCount * bytesPerFrame);
}
