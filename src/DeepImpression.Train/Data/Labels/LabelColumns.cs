namespace DeepImpression.Train.Data.Labels;

/// <summary>
/// The six label columns of the ChaLearn files: the five traits in the network's output order, then
/// <c>interview</c> (second release only).
/// </summary>
internal static class LabelColumns
{
    public const int Interview = TraitScores.Count;
    public const int Count = TraitScores.Count + 1;

    /// <summary>Lower-case names, as the pickle keys and our CSV header spell them, indexed by column.</summary>
    public static IReadOnlyList<string> Keys { get; } = ["extraversion", "agreeableness", "conscientiousness", "neuroticism", "openness", "interview"];

    /// <summary>The order in which the official pickles hold their entries (Python 2's dict order of these keys).</summary>
    public static IReadOnlyList<int> OfficialPickleOrder { get; } = [0, 3, 1, 2, Interview, 4];

    /// <summary>The column of a pickle key or CSV header name, or -1.</summary>
    public static int IndexOf(string key)
    {
        for (var i = 0; i < Count; i++)
            if (string.Equals(Keys[i], key, StringComparison.OrdinalIgnoreCase)) return i;
        return -1;
    }
}
