using System.Globalization;
using System.Reflection;
using CsvHelper;
using DeepImpression.Core;
using DeepImpression.Core.Serialization;
using DeepImpression.Train.Data.Labels;

namespace DeepImpression.Train.Serving;

/// <summary>
/// Job profiles and reference people as CSV files the user controls: <c>jobs.csv</c> and <c>people.csv</c> in one
/// folder. A kind whose file does not exist yet reads the illustrative defaults shipped inside the assembly; the first
/// change writes them out beside the change, so that the user can edit or remove them too. Writes are atomic.
/// </summary>
public sealed class ProfileStore(string directory)
{
    /// <summary>The CSV header: a name, the five traits in output order, and where the scores came from.</summary>
    public static IReadOnlyList<string> Columns { get; } = ["name", .. TraitPoles.All.Select(t => t.Key), "source"];

    /// <summary>Longest name accepted.</summary>
    public const int MaxNameLength = 80;

    private static readonly CsvReaderOptions ReaderOptions = new()
    {
        Separator = ',',
        TrimWhitespace = true,
        TrackLineNumbers = true,
        CommentPrefix = '#',
        SkipEmptyLines = true,
        MalformedData = CsvMalformedDataHandling.Throw,
        DetectSeparatorHint = false,
    };

    private static readonly CsvWriterOptions WriterOptions = new() { NewLine = "\n", CommentPrefix = '#' };

    /// <summary>The folder of the CSV files.</summary>
    public string Directory { get; } = directory;

    /// <summary>The default folder: <c>profiles</c> under DEEPIMPRESSION_HOME (default ~/.cache/deepimpression).</summary>
    public static string DefaultDirectory => Path.Combine(Synthetic.SyntheticDefault.Home, "profiles");

    /// <summary>The file of <paramref name="kind"/> (which may not exist yet).</summary>
    public string PathOf(ProfileKind kind) => Path.Combine(Directory, ProfileKinds.FileName(kind));

    /// <summary>Every profile of <paramref name="kind"/>, from its file or, while there is none, the shipped defaults.</summary>
    public IReadOnlyList<TraitProfile> Load(ProfileKind kind)
    {
        string path = PathOf(kind);
        if (File.Exists(path))
        {
            using var stream = File.OpenRead(path);
            return Read(stream, kind, path);
        }
        using var defaults = OpenDefaults(kind);
        return Read(defaults, kind, $"(shipped {ProfileKinds.FileName(kind)})");
    }

    /// <summary>Adds <paramref name="profile"/>; a name already there is refused.</summary>
    public void Add(TraitProfile profile)
    {
        CheckName(profile.Name, "--name");
        CheckScores(profile.Scores, "--scores");
        var existing = Load(profile.Kind);
        if (existing.Any(p => SameName(p.Name, profile.Name)))
            throw new InvalidInputException($"{PathOf(profile.Kind)}: a {ProfileKinds.Name(profile.Kind)} named '{profile.Name}' exists already; remove it first.");
        Write(profile.Kind, [.. existing, profile]);
    }

    /// <summary>Removes the profile named <paramref name="name"/> (any case); one that is not there is an error.</summary>
    public TraitProfile Remove(ProfileKind kind, string name)
    {
        var existing = Load(kind);
        var gone = existing.FirstOrDefault(p => SameName(p.Name, name))
                   ?? throw new InvalidInputException($"{PathOf(kind)}: no {ProfileKinds.Name(kind)} named '{name}' " +
                                                      $"(there are: {string.Join(", ", existing.Select(p => p.Name))}).");
        Write(kind, existing.Where(p => !ReferenceEquals(p, gone)).ToList());
        return gone;
    }

    /// <summary>Refuses a name that is empty, too long, has control characters, or could run as a spreadsheet formula.</summary>
    public static void CheckName(string name, string what)
    {
        if (string.IsNullOrWhiteSpace(name)) throw new InvalidInputException($"{what}: the name is empty.");
        if (name.Length > MaxNameLength) throw new InvalidInputException($"{what} '{name[..20]}...': longer than {MaxNameLength} characters.");
        if (name.Any(char.IsControl)) throw new InvalidInputException($"{what}: the name has control characters.");
        if (name.Trim() != name) throw new InvalidInputException($"{what} '{name}': the name starts or ends with a space.");
        if ("=+-@".Contains(name[0])) throw new InvalidInputException($"{what} '{name}': a name may not start with =, +, - or @ (a spreadsheet would run it as a formula).");
    }

    /// <summary>Refuses a trait level outside [0, 1] or not a number.</summary>
    public static void CheckScores(TraitScores scores, string what)
    {
        for (int t = 0; t < TraitScores.Count; t++)
            if (!(scores[t] is >= 0f and <= 1f))
                throw new InvalidInputException(string.Create(CultureInfo.InvariantCulture, $"{what}: {TraitPoles.All[t].Name} is {scores[t]}; trait levels go from 0 to 1."));
    }

    /// <summary>Parses <c>E,A,C,N,O</c>: five numbers from 0 to 1 in the network's output order.</summary>
    public static TraitScores ParseScores(string text, string what)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        var levels = new float[TraitScores.Count];
        if (parts.Length != TraitScores.Count
            || parts.Select((p, i) => float.TryParse(p, NumberStyles.Float, CultureInfo.InvariantCulture, out levels[i])).Any(ok => !ok))
            throw new InvalidInputException($"{what} '{text}': expected five numbers from 0 to 1 separated by commas, in the order E,A,C,N,O (e.g. 0.6,0.55,0.5,0.45,0.6).");
        var scores = TraitScores.FromSpan(levels);
        CheckScores(scores, what);
        return scores;
    }

    private static bool SameName(string a, string b) => string.Equals(a.Trim(), b.Trim(), StringComparison.OrdinalIgnoreCase);

    private static Stream OpenDefaults(ProfileKind kind)
    {
        string resource = "profiles/" + ProfileKinds.FileName(kind);
        return typeof(ProfileStore).Assembly.GetManifestResourceStream(resource)
               ?? throw new InvalidOperationException($"The assembly lacks its embedded resource {resource}.");
    }

    private static IReadOnlyList<TraitProfile> Read(Stream stream, ProfileKind kind, string path)
    {
        try
        {
            using var csv = CsvReader.Create(stream, ReaderOptions, true);
            var header = csv.Headers.ToArray();
            int[] column = Columns.Select(c => Array.FindIndex(header, h => string.Equals(h, c, StringComparison.OrdinalIgnoreCase))).ToArray();
            for (int c = 0; c < Columns.Count; c++)
                if (column[c] < 0)
                    throw new InvalidInputException($"{path}: the column '{Columns[c]}' is missing (expected the header '{string.Join(",", Columns)}').");

            var profiles = new List<TraitProfile>();
            while (csv.Read())
            {
                long line = csv.LineNumber;
                if (csv.FieldCount != header.Length)
                    throw new InvalidInputException($"{path}: line {line} has {csv.FieldCount} fields, the header has {header.Length}.");
                string name = csv.GetString(column[0]);
                CheckName(name, $"{path}: line {line}: name");
                var levels = new float[TraitScores.Count];
                for (int t = 0; t < TraitScores.Count; t++)
                {
                    string text = csv.GetString(column[1 + t]);
                    if (!float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out levels[t]))
                        throw new InvalidInputException($"{path}: line {line}: {Columns[1 + t]} '{text}' is not a number.");
                }
                var scores = TraitScores.FromSpan(levels);
                CheckScores(scores, $"{path}: line {line} ({name})");
                if (profiles.Any(p => SameName(p.Name, name)))
                    throw new InvalidInputException($"{path}: line {line}: the name '{name}' appears twice.");
                profiles.Add(new TraitProfile(kind, name, scores, csv.GetString(column[^1])));
            }
            return profiles;
        }
        catch (CsvFormatException e)
        {
            throw new InvalidInputException($"{path}: malformed CSV{(e.LineNumber > 0 ? $" at line {e.LineNumber}" : "")}: {e.Message.Split('\n', 2)[0].Trim()}", e);
        }
    }

    private void Write(ProfileKind kind, IReadOnlyList<TraitProfile> profiles)
    {
        System.IO.Directory.CreateDirectory(Directory);
        AtomicFile.Write(PathOf(kind), stream =>
        {
            using var csv = CsvWriter.Create(stream, WriterOptions, true);
            if (profiles.Any(p => p.Illustrative))
            {
                csv.WriteComment(" Rows whose source is 'illustrative' are the ILLUSTRATIVE DEFAULTS shipped with DeepImpression:");
                csv.WriteComment(" invented trait levels, not measured from any job or person. Remove them when you have your own.");
            }
            foreach (var column in Columns) csv.WriteField(column);
            csv.EndRecord();
            foreach (var p in profiles)
            {
                csv.WriteField(p.Name);
                for (int t = 0; t < TraitScores.Count; t++) csv.WriteField(p.Scores[t].ToString("R", CultureInfo.InvariantCulture));
                csv.WriteField(p.Source);
                csv.EndRecord();
            }
            csv.Flush();
        });
    }
}
