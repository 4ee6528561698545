namespace DeepImpression.Train.Data.Labels;

/// <summary>
/// The labels of one split: clip file name (e.g. <c>abc123XYZ.004.mp4</c>) to its trait scores, plus the
/// optional <c>interview</c> score of the second release. Clip names are kept exactly as the file gives them.
/// </summary>
public sealed class LabelSet
{
    /// <summary>Labels of <paramref name="clips"/>, with the interview scores if the file had them; <paramref name="source"/> names the file in messages.</summary>
    public LabelSet(IReadOnlyDictionary<string, TraitScores> clips, IReadOnlyDictionary<string, float>? interview = null, string? source = null)
    {
        Clips = clips;
        Interview = interview;
        Source = source;
    }

    /// <summary>Each clip's five trait scores, by clip name.</summary>
    public IReadOnlyDictionary<string, TraitScores> Clips { get; }
    /// <summary>Each clip's interview score, when the file has it (not a target of the network).</summary>
    public IReadOnlyDictionary<string, float>? Interview { get; }

    /// <summary>The file the labels came from, for messages.</summary>
    public string? Source { get; }

    /// <summary>How many clips.</summary>
    public int Count => Clips.Count;
}
