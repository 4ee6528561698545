using System.Globalization;
using CsvHelper;
using DeepImpression.Core;
using DeepImpression.Core.Serialization;

namespace DeepImpression.Train.Data.Labels;

/// <summary>
/// Label CSV files: the first release's <c>VideoName,ValueExtraversion,...</c> layout (also used for predictions) and
/// our own <c>clip,extraversion,...[,interview]</c> layout. The reader tells them apart by the first header field.
/// </summary>
public static class AnnotationCsv
{
    private static readonly CsvReaderOptions ReaderOptions = new()
    {
        Separator = ',',
        TrimWhitespace = true,
        TrackLineNumbers = true,
        MalformedData = CsvMalformedDataHandling.Throw,
        DetectSeparatorHint = false,
    };

    private static readonly CsvWriterOptions WriterOptions = new() { NewLine = "\n" };

    /// <summary>Reads a CSV of labels (one clip per row, one column per trait; the layouts it knows are listed in the error when none fits).</summary>
    public static LabelSet Read(string path)
    {
        if (!File.Exists(path)) throw new InvalidInputException($"{path}: file not found.");
        var bytes = File.ReadAllBytes(path);
        CheckUtf8(bytes, path);
        try
        {
            using var csv = CsvReader.Create(new MemoryStream(bytes, writable: false), ReaderOptions, false);
            return Read(csv, path);
        }
        catch (CsvFormatException e)
        {
            throw new InvalidInputException($"{path}: malformed CSV{(e.LineNumber > 0 ? $" at line {e.LineNumber}" : "")}: {FirstLine(e.Message)}", e);
        }
    }

    /// <summary>Writes our own layout (with an <c>interview</c> column when the labels have one), atomically.</summary>
    public static void Write(string path, LabelSet labels) => Write(path, labels, CsvLabelLayout.Own);

    /// <summary>Writes the first-release layout, the layout of the official prediction files, atomically.</summary>
    public static void WriteOfficial(string path, LabelSet labels) => Write(path, labels, CsvLabelLayout.Official);

    private static LabelSet Read(CsvReader csv, string path)
    {
        var header = csv.Headers.ToArray();
        if (header.Length == 0 || header.All(string.IsNullOrEmpty)) throw new InvalidInputException($"{path}: empty: no header line.");
        var layout = CsvLabelLayout.Recognize(header[0])
                     ?? throw new InvalidInputException(
                         $"{path}: unknown header '{string.Join(",", header)}' (expected '{Describe(CsvLabelLayout.Own)}' or '{Describe(CsvLabelLayout.Official)}').");

        var columnOfField = new int[header.Length];
        for (var f = 1; f < header.Length; f++)
        {
            columnOfField[f] = layout.ColumnOf(header[f]);
            if (columnOfField[f] < 0) throw new InvalidInputException($"{path}: unknown column '{header[f]}' in a {layout.Description} (expected '{Describe(layout)}').");
            if (Array.IndexOf(columnOfField, columnOfField[f], 1, f - 1) >= 0) throw new InvalidInputException($"{path}: the column '{header[f]}' appears twice.");
        }
        for (var t = 0; t < TraitScores.Count; t++)
            if (Array.IndexOf(columnOfField, t, 1) < 0) throw new InvalidInputException($"{path}: the column '{layout.TraitHeaders[t]}' is missing (expected '{Describe(layout)}').");

        var builder = new LabelSetBuilder(path, hasInterview: Array.IndexOf(columnOfField, LabelColumns.Interview, 1) >= 0);
        while (csv.Read())
        {
            var line = csv.LineNumber;
            var clip = csv.GetString(0);
            if (csv.FieldCount != header.Length)
                throw new InvalidInputException($"{path}: line {line} (clip {clip}) has {csv.FieldCount} fields, the header has {header.Length}.");
            for (var f = 1; f < header.Length; f++)
            {
                var name = LabelColumns.Keys[columnOfField[f]];
                var text = csv.GetString(f);
                if (string.IsNullOrEmpty(text)) throw new InvalidInputException($"{path}: line {line}: clip {clip} has no {name} value.");
                if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
                    throw new InvalidInputException($"{path}: line {line}: clip {clip}: {name} '{text}' is not a number.");
                builder.Set(clip, columnOfField[f], value);
            }
        }
        if (builder.Count == 0) throw new InvalidInputException($"{path}: a header but no clips.");
        return builder.Build();
    }

    /// <summary>
    /// Clip names must arrive as they are: a file saved in another encoding (Excel on Windows writes Windows-1252)
    /// would otherwise turn every accented name into U+FFFD and match no video. Refused with the line and what the
    /// bytes would read as in Windows-1252.
    /// </summary>
    private static void CheckUtf8(byte[] bytes, string path)
    {
        if (bytes is [0xFF, 0xFE, ..] or [0xFE, 0xFF, ..]) throw new InvalidInputException($"{path}: the file is UTF-16; save it as UTF-8.");
        int bad = Utf8Error(bytes);
        if (bad < 0) return;
        int lineStart = bad == 0 ? 0 : Array.LastIndexOf(bytes, (byte)'\n', bad - 1) + 1;
        int lineEnd = Array.IndexOf(bytes, (byte)'\n', bad);
        if (lineEnd < 0) lineEnd = bytes.Length;
        int line = 1 + bytes.AsSpan(0, lineStart).Count((byte)'\n');
        var asWindows1252 = new string(Windows1252.GetString(bytes, lineStart, Math.Min(lineEnd - lineStart, 80)).TrimEnd('\r')
            .Select(c => char.IsControl(c) ? '?' : c).ToArray());
        throw new InvalidInputException(
            $"{path}: line {line} is not UTF-8 (byte 0x{bytes[bad]:X2}); it looks like Windows-1252 or Latin-1, where it reads '{asWindows1252}'. Save the file as UTF-8.");
    }

    /// <summary>The offset of the first byte that is not valid UTF-8, or -1.</summary>
    private static int Utf8Error(byte[] bytes)
    {
        var rest = bytes.AsSpan();
        int offset = 0;
        while (!rest.IsEmpty)
        {
            var status = System.Text.Rune.DecodeFromUtf8(rest, out _, out int consumed);
            if (status != System.Buffers.OperationStatus.Done) return offset;
            rest = rest[consumed..];
            offset += consumed;
        }
        return -1;
    }

    private static System.Text.Encoding Windows1252
    {
        get
        {
            System.Text.Encoding.RegisterProvider(System.Text.CodePagesEncodingProvider.Instance);
            return System.Text.Encoding.GetEncoding(1252);
        }
    }

    private static void Write(string path, LabelSet labels, CsvLabelLayout layout)
    {
        OverwriteGuard.NotAModel(path, "a label CSV");
        // Checked as strictly as a file that is read; the pickle writer's check gives the same messages.
        AnnotationPickle.ToColumns(labels, path);
        var withInterview = layout.InterviewHeader is not null && labels.Interview is not null;
        AtomicFile.Write(path, stream =>
        {
            using var csv = CsvWriter.Create(stream, WriterOptions, true);
            csv.WriteField(layout.ClipHeader);
            foreach (var name in layout.TraitHeaders) csv.WriteField(name);
            if (withInterview) csv.WriteField(layout.InterviewHeader);
            csv.EndRecord();
            foreach (var (clip, scores) in labels.Clips)
            {
                csv.WriteField(clip);
                for (var t = 0; t < TraitScores.Count; t++) csv.WriteField(Number(scores[t]));
                if (withInterview) csv.WriteField(Number(labels.Interview![clip]));
                csv.EndRecord();
            }
            csv.Flush();
        });
    }

    private static string Number(float value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static string Describe(CsvLabelLayout layout) =>
        string.Join(",", layout.TraitHeaders.Prepend(layout.ClipHeader)) + (layout.InterviewHeader is { } i ? $"[,{i}]" : "");

    private static string FirstLine(string message) => message.Split('\n', 2)[0].Trim();
}
