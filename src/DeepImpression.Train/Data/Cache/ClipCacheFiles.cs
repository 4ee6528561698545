using System.Globalization;

namespace DeepImpression.Train.Data.Cache;

/// <summary>The files of a clip cache folder.</summary>
internal static class ClipCacheFiles
{
    public const string HeaderName = "cache.json";
    public const string IndexName = "index.jsonl";

    /// <summary>A new shard is started when the current one would grow past this.</summary>
    public const long DefaultShardLimitBytes = 8L << 30;

    /// <summary>Clip data starts at multiples of this, so that float audio is aligned in the mapped view.</summary>
    public const int Alignment = 64;

    public static string Header(string directory) => Path.Combine(directory, HeaderName);
    public static string Index(string directory) => Path.Combine(directory, IndexName);
    public static string Shard(string directory, int shard) => Path.Combine(directory, string.Create(CultureInfo.InvariantCulture, $"data-{shard:000}.bin"));

    public static long Align(long offset) => (offset + Alignment - 1) / Alignment * Alignment;
}
