using System.Globalization;
using System.Text.Json;
using CsvHelper;
using DeepImpression.Core;
using DeepImpression.Core.Serialization;

namespace DeepImpression.Train.Analysis.Regions;

/// <summary>
/// The names of the region ids of a set of label maps (ids 0 to 255, names unique and not empty). Read from
/// <c>legend.json</c> (an object <c>{"0": "background", "1": "face skin", ...}</c>) or <c>legend.csv</c> (a header
/// <c>id,name</c>, then one row per region).
/// </summary>
public sealed class RegionLegend
{
    /// <summary>File name of the JSON legend (an object of id to name).</summary>
    public const string JsonName = "legend.json";
    /// <summary>File name of the CSV legend (columns id and name).</summary>
    public const string CsvName = "legend.csv";

    private readonly SortedDictionary<int, string> _names;
    private readonly bool[] _known = new bool[256];

    /// <summary>A legend of region ids (0..255) to names; <paramref name="source"/> names it in error messages.</summary>
    public RegionLegend(IReadOnlyDictionary<int, string> names, string source = "legend")
    {
        Source = source;
        if (names.Count == 0) throw new InvalidInputException($"{source}: the legend names no region.");
        _names = new SortedDictionary<int, string>();
        foreach (var (id, name) in names)
        {
            if (id is < 0 or > 255) throw new InvalidInputException($"{source}: region id {id} is outside 0..255 (maps are 8-bit).");
            if (string.IsNullOrWhiteSpace(name)) throw new InvalidInputException($"{source}: region id {id} has no name.");
            _names[id] = name.Trim();
            _known[id] = true;
        }
        var repeated = _names.Values.GroupBy(n => n, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        if (repeated is not null) throw new InvalidInputException($"{source}: the name '{repeated.Key}' is given to more than one id.");
    }

    /// <summary>The file the legend came from (for messages).</summary>
    public string Source { get; }

    /// <summary>The ids in increasing order.</summary>
    public IReadOnlyList<int> Ids => [.. _names.Keys];

    /// <summary>Every region id and its name.</summary>
    public IReadOnlyDictionary<int, string> Names => _names;

    /// <summary>The name of region <paramref name="id"/>.</summary>
    public string NameOf(int id) => _names[id];

    /// <summary>Whether <paramref name="id"/> is a region of the legend.</summary>
    public bool Contains(int id) => id is >= 0 and <= 255 && _known[id];

    /// <summary>The first id of <paramref name="ids"/> that the legend does not name, with its position, if any.</summary>
    public (int Id, int Position)? FirstUnknown(ReadOnlySpan<byte> ids)
    {
        for (int i = 0; i < ids.Length; i++)
            if (!_known[ids[i]]) return (ids[i], i);
        return null;
    }

    /// <summary>The id named <paramref name="name"/> (case-insensitive), or an error listing the names.</summary>
    public int IdOf(string name)
    {
        foreach (var (id, n) in _names)
            if (string.Equals(n, name.Trim(), StringComparison.OrdinalIgnoreCase)) return id;
        throw new InvalidInputException($"{Source}: no region named '{name}' (the legend has {string.Join(", ", _names.Values)}).");
    }

    /// <summary>Reads <c>legend.json</c> or <c>legend.csv</c> from <paramref name="folder"/>.</summary>
    public static RegionLegend ReadFolder(string folder)
    {
        string json = Path.Combine(folder, JsonName), csv = Path.Combine(folder, CsvName);
        if (File.Exists(json)) return Read(json);
        if (File.Exists(csv)) return Read(csv);
        throw new InvalidInputException($"{folder}: no {JsonName} or {CsvName} naming the region ids.");
    }

    /// <summary>Reads a legend file, JSON or CSV by its extension.</summary>
    public static RegionLegend Read(string path)
    {
        if (!File.Exists(path)) throw new InvalidInputException($"{path}: no such legend file.");
        return Path.GetExtension(path).Equals(".csv", StringComparison.OrdinalIgnoreCase) ? ReadCsv(path) : ReadJson(path);
    }

    private static RegionLegend ReadJson(string path)
    {
        Dictionary<string, string>? entries;
        try
        {
            entries = JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(path));
        }
        catch (JsonException e)
        {
            throw new InvalidInputException($"{path}: not a legend: expected a JSON object of id -> name, e.g. {{\"0\": \"background\"}} ({e.Message}).");
        }
        if (entries is null) throw new InvalidInputException($"{path}: empty legend.");
        var names = new Dictionary<int, string>();
        foreach (var (key, name) in entries)
        {
            if (!int.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out int id))
                throw new InvalidInputException($"{path}: '{key}' is not a region id (an integer from 0 to 255).");
            names[id] = name;
        }
        return new RegionLegend(names, path);
    }

    private static RegionLegend ReadCsv(string path)
    {
        var names = new Dictionary<int, string>();
        try
        {
            using var csv = CsvReader.Create(File.OpenRead(path), new CsvReaderOptions { Separator = ',', TrimWhitespace = true, TrackLineNumbers = true, DetectSeparatorHint = false }, false);
            var header = csv.Headers.ToArray();
            int idColumn = Array.FindIndex(header, h => h.Equals("id", StringComparison.OrdinalIgnoreCase));
            int nameColumn = Array.FindIndex(header, h => h.Equals("name", StringComparison.OrdinalIgnoreCase));
            if (idColumn < 0 || nameColumn < 0) throw new InvalidInputException($"{path}: a legend CSV needs a header with the columns id and name.");
            while (csv.Read())
            {
                string text = csv.GetString(idColumn);
                if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int id))
                    throw new InvalidInputException($"{path}: line {csv.LineNumber}: '{text}' is not a region id (an integer from 0 to 255).");
                if (!names.TryAdd(id, csv.FieldCount > nameColumn ? csv.GetString(nameColumn) : ""))
                    throw new InvalidInputException($"{path}: line {csv.LineNumber}: region id {id} appears twice.");
            }
        }
        catch (CsvFormatException e)
        {
            throw new InvalidInputException($"{path}: malformed CSV: {e.Message.Split('\n')[0]}", e);
        }
        return new RegionLegend(names, path);
    }

    /// <summary>Writes the legend as <c>legend.json</c> in <paramref name="folder"/>, atomically.</summary>
    public void WriteJson(string folder)
    {
        var entries = _names.ToDictionary(e => e.Key.ToString(CultureInfo.InvariantCulture), e => e.Value);
        AtomicFile.WriteText(Path.Combine(folder, JsonName), w => w.Write(JsonSerializer.Serialize(entries, new JsonSerializerOptions { WriteIndented = true })));
    }
}
