using System.Globalization;
using CsvHelper;
using DeepImpression.Core;
using DeepImpression.Core.Serialization;

namespace DeepImpression.Train.Training;

/// <summary>
/// <c>metrics.csv</c> of a run folder. The whole file is rewritten atomically on each append (it is small), so an
/// interrupt never leaves a torn line; on resume, rows past the resumed step are dropped.
/// </summary>
public sealed class MetricsLog
{
    /// <summary>The header of <c>metrics.csv</c>, in column order.</summary>
    public static readonly string[] Columns =
    [
        "epoch", "step", "train_loss", "val_extraversion", "val_agreeableness", "val_conscientiousness", "val_neuroticism",
        "val_openness", "val_mean", "examples_per_second", "wall_seconds",
    ];

    private readonly List<MetricsRow> _rows;

    /// <summary>The log at <paramref name="path"/>, with the rows already there.</summary>
    public MetricsLog(string path)
    {
        Path = path;
        _rows = File.Exists(path) ? Read(path) : [];
    }

    /// <summary>The CSV file.</summary>
    public string Path { get; }
    /// <summary>Every row, oldest first.</summary>
    public IReadOnlyList<MetricsRow> Rows => _rows;

    /// <summary>Adds a row and rewrites the file atomically.</summary>
    public void Append(MetricsRow row)
    {
        _rows.Add(row);
        Save();
    }

    /// <summary>Forgets rows logged after <paramref name="step"/> (they belong to work the resume will redo).</summary>
    public void TruncateAfter(long step)
    {
        if (_rows.RemoveAll(r => r.Step > step) > 0) Save();
    }

    private void Save() => AtomicFile.Write(Path, stream =>
    {
        using var csv = CsvWriter.Create(stream, new CsvWriterOptions { NewLine = "\n" }, true);
        foreach (var c in Columns) csv.WriteField(c);
        csv.EndRecord();
        foreach (var r in _rows)
        {
            csv.WriteField(r.Epoch.ToString(CultureInfo.InvariantCulture));
            csv.WriteField(r.Step.ToString(CultureInfo.InvariantCulture));
            csv.WriteField(Number(r.TrainLoss));
            foreach (var v in new[] { r.ValidationExtraversion, r.ValidationAgreeableness, r.ValidationConscientiousness, r.ValidationNeuroticism, r.ValidationOpenness, r.ValidationMean })
                csv.WriteField(v is { } x ? Number(x) : "");
            csv.WriteField(Number(r.ExamplesPerSecond));
            csv.WriteField(Number(r.WallSeconds));
            csv.EndRecord();
        }
        csv.Flush();
    });

    private static string Number(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    private static List<MetricsRow> Read(string path)
    {
        try
        {
            using var csv = CsvReader.Create(File.OpenRead(path), new CsvReaderOptions(), false);
            if (!csv.Headers.ToArray().SequenceEqual(Columns))
                throw new InvalidInputException($"{path}: not a metrics file of this tool (header '{string.Join(",", csv.Headers.ToArray())}').");
            var rows = new List<MetricsRow>();
            while (csv.Read())
            {
                double? Optional(int i) => csv.GetString(i) is { Length: > 0 } s ? double.Parse(s, CultureInfo.InvariantCulture) : null;
                rows.Add(new MetricsRow
                {
                    Epoch = int.Parse(csv.GetString(0), CultureInfo.InvariantCulture),
                    Step = long.Parse(csv.GetString(1), CultureInfo.InvariantCulture),
                    TrainLoss = double.Parse(csv.GetString(2), CultureInfo.InvariantCulture),
                    ValidationExtraversion = Optional(3),
                    ValidationAgreeableness = Optional(4),
                    ValidationConscientiousness = Optional(5),
                    ValidationNeuroticism = Optional(6),
                    ValidationOpenness = Optional(7),
                    ValidationMean = Optional(8),
                    ExamplesPerSecond = double.Parse(csv.GetString(9), CultureInfo.InvariantCulture),
                    WallSeconds = double.Parse(csv.GetString(10), CultureInfo.InvariantCulture),
                });
            }
            return rows;
        }
        catch (Exception e) when (e is FormatException or OverflowException or IndexOutOfRangeException or CsvFormatException)
        {
            throw new InvalidInputException($"{path}: a line of the metrics file is malformed ({e.Message.Split('\n')[0]}).");
        }
    }
}
