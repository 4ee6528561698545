using DeepImpression.Core;

namespace DeepImpression.Train.Serving;

/// <summary>The command-line and file names of <see cref="ProfileKind"/>.</summary>
internal static class ProfileKinds
{
    /// <summary><c>job</c> or <c>person</c>.</summary>
    public static string Name(ProfileKind kind) => kind == ProfileKind.Job ? "job" : "person";

    /// <summary>The CSV file that holds profiles of <paramref name="kind"/>.</summary>
    public static string FileName(ProfileKind kind) => kind == ProfileKind.Job ? "jobs.csv" : "people.csv";

    /// <summary>Parses <c>job</c> or <c>person</c> (also <c>jobs</c>, <c>people</c>).</summary>
    public static ProfileKind Parse(string text) => text.Trim().ToLowerInvariant() switch
    {
        "job" or "jobs" => ProfileKind.Job,
        "person" or "people" => ProfileKind.Person,
        _ => throw new InvalidInputException($"--kind '{text}': expected job or person."),
    };
}
