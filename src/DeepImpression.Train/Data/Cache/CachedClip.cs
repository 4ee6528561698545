using DeepImpression.Train.Data.Labels;

namespace DeepImpression.Train.Data.Cache;

/// <summary>What the loader needs to know about one cached clip (its data stays in the mapped files).</summary>
public sealed record CachedClip(string Name, string Split, int AudioSamples, int FrameCount, TraitScores? Targets, float? Interview)
{
    /// <summary>The YouTube video the clip was cut from (the name before the clip number); clips of one video stay in one split.</summary>
    public string YouTubeId => ClipNames.YouTubeId(Name);
}
