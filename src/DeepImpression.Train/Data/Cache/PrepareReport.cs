namespace DeepImpression.Train.Data.Cache;

/// <summary>A clip that <c>prepare</c> left out, and why.</summary>
public sealed record SkippedClip(string Clip, string Reason);

/// <summary>The outcome of one <c>prepare</c> run.</summary>
public sealed class PrepareReport
{
    /// <summary>The cache folder written.</summary>
    public required string CacheDirectory { get; init; }

    /// <summary>Clips decoded and added by this run.</summary>
    public required int Added { get; init; }

    /// <summary>Clips of this run's list that an earlier run had already cached.</summary>
    public required int AlreadyCached { get; init; }

    /// <summary>Clips left out: bad videos, labels without a video, videos without a label.</summary>
    public required IReadOnlyList<SkippedClip> Skipped { get; init; }

    /// <summary>Things worth knowing that lost nothing: repairs after an interrupted run, duplicate video names.</summary>
    public required IReadOnlyList<string> Notes { get; init; }

    /// <summary>Clips of this run's list that are now in the cache.</summary>
    public int Usable => Added + AlreadyCached;
}
