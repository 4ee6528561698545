using DeepImpression.Core;

namespace DeepImpression.Train.Data.Labels;

/// <summary>
/// The one entry point for label files: the official pickles (<c>annotation_*.pkl</c>), the first-release CSV and our
/// own CSV, told apart by content (a pickle starts with its PROTO opcode) and, for CSV, by the header.
/// </summary>
public static class AnnotationFiles
{
    /// <summary>Reads an annotation file, a pickle or a CSV by its content.</summary>
    public static LabelSet Read(string path)
    {
        if (!File.Exists(path)) throw new InvalidInputException($"{path}: file not found.");
        FileStatus.RequireRegularFile(path, "a label file");
        return IsPickle(path) ? AnnotationPickle.Read(path) : AnnotationCsv.Read(path);
    }

    /// <summary>The official second-release format (protocol-2 pickle with numpy.float64 interview values).</summary>
    public static void WritePickle(string path, LabelSet labels) => AnnotationPickle.Write(path, labels);

    /// <summary>Our own CSV: <c>clip,extraversion,agreeableness,conscientiousness,neuroticism,openness[,interview]</c>.</summary>
    public static void WriteCsv(string path, LabelSet labels) => AnnotationCsv.Write(path, labels);

    /// <summary>The first-release CSV layout, which is also the layout of official prediction files.</summary>
    public static void WriteOfficialCsv(string path, LabelSet labels) => AnnotationCsv.WriteOfficial(path, labels);

    private static bool IsPickle(string path)
    {
        if (string.Equals(Path.GetExtension(path), ".pkl", StringComparison.OrdinalIgnoreCase)) return true;
        using var stream = File.OpenRead(path);
        return stream.ReadByte() == 0x80;
    }
}
