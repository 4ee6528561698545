using DeepImpression.Core;

namespace DeepImpression.Train.Commands;

/// <summary>VIDEO arguments of the analysis commands: video files, or folders searched recursively for *.mp4.</summary>
internal static class VideoArguments
{
    /// <summary>The files named and the mp4 files under the folders named, each once, folders' files in name order.</summary>
    public static IReadOnlyList<string> Expand(IEnumerable<string> arguments)
    {
        var videos = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var argument in arguments)
        {
            IEnumerable<string> found;
            if (Directory.Exists(argument))
                found = Directory.EnumerateFiles(argument, "*", new EnumerationOptions { RecurseSubdirectories = true })
                    .Where(f => f.EndsWith(".mp4", StringComparison.OrdinalIgnoreCase)).Order(StringComparer.Ordinal);
            else if (File.Exists(argument))
                found = [argument];
            else
                throw new InvalidInputException($"{argument}: no such video file or folder.");
            foreach (var file in found)
                if (seen.Add(Path.GetFullPath(file))) videos.Add(file);
        }
        if (videos.Count == 0) throw new InvalidInputException($"{string.Join(", ", arguments)}: no .mp4 videos found.");
        return videos;
    }
}
