namespace DeepImpression.Train.Synthetic;

/// <summary>Which cues a synthetic set carries.</summary>
public enum SyntheticVariant
{
    /// <summary>The five cues of <see cref="SyntheticCues"/>, each spread over the whole frame or the whole clip.</summary>
    Standard,

    /// <summary>
    /// As <see cref="Standard"/>, except that one trait's visual cue lives in one known region and one trait's audio
    /// cue in one known time span (<see cref="SyntheticLocalizedCues"/>), so that occlusion analyses can be checked
    /// against ground truth.
    /// </summary>
    LocalizedCues,
}

/// <summary>The command-line names of <see cref="SyntheticVariant"/>: <c>standard</c> and <c>localized</c>.</summary>
public static class SyntheticVariants
{
    /// <summary>The variants' names as the command line writes them.</summary>
    public static IReadOnlyList<string> Names { get; } = ["standard", "localized"];

    /// <summary>The name of <paramref name="variant"/>.</summary>
    public static string Name(SyntheticVariant variant) => variant switch
    {
        SyntheticVariant.Standard => "standard",
        SyntheticVariant.LocalizedCues => "localized",
        _ => throw new ArgumentOutOfRangeException(nameof(variant)),
    };

    /// <summary>The variant named <paramref name="name"/>.</summary>
    public static SyntheticVariant Parse(string name) => name switch
    {
        "standard" => SyntheticVariant.Standard,
        "localized" => SyntheticVariant.LocalizedCues,
        _ => throw new Core.InvalidInputException($"--variant '{name}': expected {string.Join(" or ", Names)}."),
    };
}
