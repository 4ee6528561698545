using DeepImpression.Train.Data.Decoding;
using DeepImpression.Train.Data.Labels;

namespace DeepImpression.Train.Data.Cache;

/// <summary>What to put into a clip cache.</summary>
public sealed record PrepareRequest
{
    /// <summary>Folder searched (recursively) for <c>*.mp4</c> files, matched to labels by file name.</summary>
    public required string VideosDirectory { get; init; }

    /// <summary>The cache folder to create or extend.</summary>
    public required string CacheDirectory { get; init; }

    /// <summary>The split's labels; null caches every video found, without targets (e.g. unlabelled test clips).</summary>
    public LabelSet? Labels { get; init; }

    /// <summary>The split name recorded with every clip (<c>train</c>, <c>validation</c>, <c>test</c>, ...).</summary>
    public required string Split { get; init; }

    /// <summary>Frames kept per clip, evenly spaced over the clip.</summary>
    public int FramesPerClip { get; init; } = ClipPreparer.DefaultFramesPerClip;

    /// <summary>Clips decoded at the same time (each ffmpeg runs single-threaded).</summary>
    public int Jobs { get; init; } = Math.Max(1, Environment.ProcessorCount);

    /// <summary>Frame size in the cache; smaller than 456 x 256 only for tests.</summary>
    public FrameSize FrameSize { get; init; } = FrameSize.Network;

    /// <summary>Shortest audio accepted (default: one training window).</summary>
    public int MinimumAudioSamples { get; init; } = ClipFormat.TrainingAudioSamples;

    /// <summary>A new shard file is started once one reaches this size.</summary>
    public long ShardLimitBytes { get; init; } = ClipCacheFiles.DefaultShardLimitBytes;

    /// <summary>Drop the entries of a damaged cache (and decode their clips again) instead of refusing it.</summary>
    public bool Repair { get; init; }
}
