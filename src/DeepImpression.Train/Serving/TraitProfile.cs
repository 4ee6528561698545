using DeepImpression.Train.Data.Labels;

namespace DeepImpression.Train.Serving;

/// <summary>What a profile describes: a job, or a reference person.</summary>
public enum ProfileKind
{
    /// <summary>A job profile: the apparent traits a role is taken to call for.</summary>
    Job,

    /// <summary>A reference person: the apparent traits predicted from a clip of them, or given by hand.</summary>
    Person,
}

/// <summary>
/// A job profile or reference person the demo compares a result with.
/// </summary>
/// <param name="Kind">Job or person.</param>
/// <param name="Name">Unique within its kind (compared without case).</param>
/// <param name="Scores">Five trait levels in [0, 1], in the network's output order.</param>
/// <param name="Source">Where the scores came from: <see cref="IllustrativeSource"/> for the shipped examples,
/// <c>scores</c> when typed in, <c>video:FILE</c> when predicted from a clip.</param>
public sealed record TraitProfile(ProfileKind Kind, string Name, TraitScores Scores, string Source)
{
    /// <summary>The source of the shipped defaults: invented levels, not measured from anyone.</summary>
    public const string IllustrativeSource = "illustrative";

    /// <summary>True for the shipped examples, which the page marks as such.</summary>
    public bool Illustrative => Source == IllustrativeSource;
}
