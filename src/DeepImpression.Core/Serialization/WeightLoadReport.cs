namespace DeepImpression.Core.Serialization;

/// <summary>What loading weights into a model found: which keys matched, and which did not, by name.</summary>
public sealed record WeightLoadReport(
    string Path,
    string Prefix,
    IReadOnlyList<string> Loaded,
    IReadOnlyList<string> Missing,
    IReadOnlyList<string> Unexpected,
    IReadOnlyList<string> Misshaped,
    int IgnoredCounters)
{
    /// <summary>True when every array the model holds was found with its shape.</summary>
    public bool IsComplete => Missing.Count == 0 && Misshaped.Count == 0;

    /// <summary>One line for a user: how many arrays loaded, and which were missing, mis-shaped or unexpected (at most <paramref name="maxNames"/> names of each).</summary>
    public string Describe(int maxNames = 6)
    {
        static string Names(IReadOnlyList<string> names, int max) =>
            string.Join(", ", names.Take(max)) + (names.Count > max ? $", ... ({names.Count - max} more)" : "");
        var parts = new List<string> { $"{Loaded.Count} arrays loaded" + (Prefix.Length > 0 ? $" (prefix '{Prefix}' stripped)" : "") };
        if (Missing.Count > 0) parts.Add($"{Missing.Count} missing: {Names(Missing, maxNames)}");
        if (Misshaped.Count > 0) parts.Add($"{Misshaped.Count} mis-shaped: {Names(Misshaped, maxNames)}");
        if (Unexpected.Count > 0) parts.Add($"{Unexpected.Count} unexpected: {Names(Unexpected, maxNames)}");
        if (IgnoredCounters > 0) parts.Add($"{IgnoredCounters} batch-norm counters '.../N' ignored");
        return string.Join("; ", parts);
    }
}
