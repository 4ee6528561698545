using DeepImpression.Core;
using DeepImpression.Train.Training;

namespace DeepImpression.Train.Serving;

/// <summary>
/// The model <c>serve</c> and <c>profile add</c> use without <c>--model</c>: the newest <c>best.npz</c> of the runs
/// that the README's main command (<c>train</c>) writes under <c>runs/&lt;date-time&gt;/</c> of the working folder.
/// </summary>
internal static class DefaultModel
{
    /// <summary>How to get a model, for the message when there is none.</summary>
    public const string HowToGetOne =
        "train one with the README's main command from the repository root: " +
        "'bash scripts/setup.sh && dotnet run --project src/DeepImpression.Tool -c Release -- train' " +
        "(or 'deepimpression train'), which writes runs/<date-time>/best.npz in a few minutes; " +
        "or pass --model CKPT (a checkpoint, or weights brought in with 'deepimpression import')";

    /// <summary><paramref name="given"/> when set; else the newest <c>runs/*/best.npz</c> under <paramref name="workingDirectory"/>.</summary>
    public static string Resolve(string? given, string workingDirectory)
    {
        if (given is not null) return given;
        return Find(workingDirectory)
               ?? throw new InvalidInputException($"no --model given and no trained model under {Path.Combine(workingDirectory, "runs")} (looked for runs/*/best.npz): {HowToGetOne}.");
    }

    /// <summary>The newest <c>runs/*/best.npz</c> (by the time it was written), or null.</summary>
    public static string? Find(string workingDirectory)
    {
        string runs = Path.Combine(workingDirectory, "runs");
        if (!Directory.Exists(runs)) return null;
        return Directory.EnumerateDirectories(runs)
            .Select(d => new RunFolder(d).BestCheckpoint)
            .Where(File.Exists)
            .OrderByDescending(File.GetLastWriteTimeUtc)
            .ThenByDescending(p => p, StringComparer.Ordinal)
            .FirstOrDefault();
    }
}
