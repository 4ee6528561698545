namespace DeepImpression.Train.Data.Labels;

/// <summary>
/// The labels of one split: clip file name (e.g. <c>abc123XYZ.004.mp4</c>) to its trait scores, plus the
/// optional <c>interview</c> score of the second release. Clip names are kept exactly as the file gives them.
/// </summary>
public sealed class LabelSet
{
    public LabelSet(IReadOnlyDictionary<string, TraitScores> clips, IReadOnlyDictionary<string, float>? interview = null, string? source = null)
    {
        Clips = clips;
        Interview = interview;
        Source = source;
    }

    public IReadOnlyDictionary<string, TraitScores> Clips { get; }
    public IReadOnlyDictionary<string, float>? Interview { get; }

    /// <summary>The file the labels came from, for messages.</summary>
    public string? Source { get; }

    public int Count => Clips.Count;
}
