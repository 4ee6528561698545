using System.Buffers.Binary;
using System.Text;
using DeepImpression.Core;
using DeepImpression.Core.Serialization;
using DeepImpression.Train.Data.Labels.Pickle;

namespace DeepImpression.Train.Data.Labels;

/// <summary>
/// The second-release label files (<c>annotation_*.pkl</c>): a Python 2 protocol-2 pickle of a dict from byte-string
/// keys (<c>extraversion</c>, <c>neuroticism</c>, <c>agreeableness</c>, <c>conscientiousness</c>, <c>interview</c>,
/// <c>openness</c>) to dicts clip name -> value. Traits are Python floats; <c>interview</c> values are
/// <c>numpy.float64</c> scalars. Written here exactly as Python 2 with numpy writes them.
/// </summary>
public static class AnnotationPickle
{
    private const int PythonBatchSize = 1000;

    /// <summary>Reads a ChaLearn <c>annotation_*.pkl</c> (a dict of trait name to a dict of clip name to score).</summary>
    public static LabelSet Read(string path) => ToLabelSet(ReadColumns(path), path);

    /// <summary>Writes <paramref name="labels"/> in the official format (atomically). The <c>interview</c> entry is
    /// written when the labels have interview values.</summary>
    public static void Write(string path, LabelSet labels)
    {
        var columns = ToColumns(labels, path);
        AtomicFile.Write(path, stream => WriteColumns(stream, columns, path));
    }

    internal static LabelSet ToLabelSet(IReadOnlyList<AnnotationColumn> columns, string source)
    {
        var indices = new int[columns.Count];
        for (var c = 0; c < columns.Count; c++)
        {
            indices[c] = LabelColumns.IndexOf(columns[c].Key);
            if (indices[c] < 0)
                throw new InvalidInputException($"{source}: unexpected entry '{columns[c].Key}' (expected {string.Join(", ", LabelColumns.Keys)}).");
            if (Array.IndexOf(indices, indices[c], 0, c) >= 0) throw new InvalidInputException($"{source}: the entry '{columns[c].Key}' appears twice.");
        }
        for (var t = 0; t < TraitScores.Count; t++)
            if (Array.IndexOf(indices, t) < 0) throw new InvalidInputException($"{source}: there is no '{LabelColumns.Keys[t]}' entry.");

        var builder = new LabelSetBuilder(source, hasInterview: Array.IndexOf(indices, LabelColumns.Interview) >= 0);
        // Clips in the order of the extraversion entry, the first trait.
        foreach (var c in Enumerable.Range(0, columns.Count).OrderBy(c => indices[c]))
            foreach (var (clip, value) in columns[c].Values)
                builder.Set(clip, indices[c], value);
        if (builder.Count == 0) throw new InvalidInputException($"{source}: no clips (every entry is empty).");
        return builder.Build();
    }

    internal static IReadOnlyList<AnnotationColumn> ToColumns(LabelSet labels, string destination)
    {
        // Rebuilding through the builder checks what is about to be written as strictly as what is read.
        var builder = new LabelSetBuilder(destination, labels.Interview is not null);
        foreach (var (clip, scores) in labels.Clips)
        {
            for (var t = 0; t < TraitScores.Count; t++) builder.Set(clip, t, scores[t]);
            if (labels.Interview is not null)
            {
                if (!labels.Interview.TryGetValue(clip, out var interview))
                    throw new InvalidInputException($"{destination}: clip {clip} has no interview value.");
                builder.Set(clip, LabelColumns.Interview, interview);
            }
        }
        if (labels.Interview is not null && labels.Interview.Count != labels.Clips.Count)
        {
            var stray = labels.Interview.Keys.First(k => !labels.Clips.ContainsKey(k));
            throw new InvalidInputException($"{destination}: clip {stray} has an interview value but no traits.");
        }
        builder.Build();

        var columns = new List<AnnotationColumn>();
        foreach (var column in LabelColumns.OfficialPickleOrder)
        {
            if (column == LabelColumns.Interview)
            {
                if (labels.Interview is null) continue;
                columns.Add(new(LabelColumns.Keys[column], labels.Clips.Keys.Select(clip => KeyValuePair.Create(clip, (double)labels.Interview[clip])).ToList()));
            }
            else
            {
                columns.Add(new(LabelColumns.Keys[column], labels.Clips.Select(pair => KeyValuePair.Create(pair.Key, (double)pair.Value[column])).ToList()));
            }
        }
        return columns;
    }

    /// <summary>Reads the entries of an annotation pickle as the file holds them.</summary>
    internal static IReadOnlyList<AnnotationColumn> ReadColumns(string path) => ReadColumns(File.Exists(path)
        ? File.ReadAllBytes(path)
        : throw new InvalidInputException($"{path}: file not found."), path);

    internal static IReadOnlyList<AnnotationColumn> ReadColumns(byte[] data, string source)
    {
        if (PickleReader.Read(data, source) is not PickleDict outer)
            throw new InvalidInputException($"{source}: the pickle does not hold a dict of label entries.");
        var columns = new List<AnnotationColumn>(outer.Entries.Count);
        foreach (var (keyObject, valueObject) in outer.Entries)
        {
            var key = Text(keyObject) ?? throw new InvalidInputException($"{source}: an entry key is not a string.");
            if (valueObject is not PickleDict inner) throw new InvalidInputException($"{source}: the entry '{key}' is not a dict of clip -> value.");
            var values = new List<KeyValuePair<string, double>>(inner.Entries.Count);
            foreach (var (clipObject, number) in inner.Entries)
            {
                var clip = Text(clipObject) ?? throw new InvalidInputException($"{source}: the entry '{key}' has a clip name that is not a string.");
                var value = number switch
                {
                    double d => d,
                    long l => l,
                    _ => throw new InvalidInputException($"{source}: clip {clip}: {key} is not a number."),
                };
                values.Add(KeyValuePair.Create(clip, value));
            }
            columns.Add(new AnnotationColumn(key, values));
        }
        return columns;
    }

    /// <summary>Writes the entries as Python 2's pickler (protocol 2) writes such a dict: traits as BINFLOAT, the
    /// <c>interview</c> entry as numpy.float64 scalars.</summary>
    internal static void WriteColumns(Stream stream, IReadOnlyList<AnnotationColumn> columns, string destination)
    {
        var writer = new PicklingState(new PickleWriter(stream), destination);
        writer.Pickle.Proto(2);
        writer.Pickle.Op(PickleOpcode.EmptyDict);
        writer.Pickle.Memoize();
        WriteItems(writer.Pickle, columns, column =>
        {
            writer.String(column.Key);
            writer.Pickle.Op(PickleOpcode.EmptyDict);
            writer.Pickle.Memoize();
            var asNumpy = column.Key == LabelColumns.Keys[LabelColumns.Interview];
            WriteItems(writer.Pickle, column.Values, pair =>
            {
                writer.String(pair.Key);
                if (asNumpy) writer.NumpyFloat64(pair.Value);
                else writer.Pickle.BinFloat(pair.Value);
            });
        });
        writer.Pickle.Op(PickleOpcode.Stop);
    }

    // Python 2 writes dict items in batches of 1000: MARK ... SETITEMS, or a lone item with SETITEM.
    private static void WriteItems<T>(PickleWriter pickle, IReadOnlyList<T> items, Action<T> writeItem)
    {
        for (var start = 0; start < items.Count; start += PythonBatchSize)
        {
            var count = Math.Min(PythonBatchSize, items.Count - start);
            if (count > 1) pickle.Op(PickleOpcode.Mark);
            for (var i = start; i < start + count; i++) writeItem(items[i]);
            pickle.Op(count > 1 ? PickleOpcode.SetItems : PickleOpcode.SetItem);
        }
    }

    private static string? Text(object? value) => value switch
    {
        PickleBytes bytes => bytes.AsText(),
        string text => text,
        _ => null,
    };

    /// <summary>What Python's pickler remembers while it writes: the strings already stored (it refers back to them
    /// with BINGET) and the numpy global and dtype, stored once and then referred to.</summary>
    private sealed class PicklingState(PickleWriter pickle, string destination)
    {
        private readonly Dictionary<string, uint> _strings = new(StringComparer.Ordinal);
        private readonly byte[] _raw = new byte[8];
        private uint? _scalarGlobal;
        private uint? _float64Dtype;

        public PickleWriter Pickle { get; } = pickle;

        public void String(string text)
        {
            if (_strings.TryGetValue(text, out var index))
            {
                Pickle.Get(index);
                return;
            }
            var bytes = Encoding.UTF8.GetBytes(text);
            if (bytes.Length > 255) throw new InvalidInputException($"{destination}: the name '{text[..Math.Min(40, text.Length)]}…' is longer than 255 bytes.");
            Pickle.ShortBinString(bytes);
            _strings.Add(text, Pickle.Memoize());
        }

        // numpy.float64(x).__reduce__() is (numpy.core.multiarray.scalar, (dtype('f8'), <8 raw bytes>)), and the
        // dtype reduces to (numpy.dtype, ('f8', 0, 1), state); each object is memoized as the pickler meets it.
        public void NumpyFloat64(double value)
        {
            if (_scalarGlobal is { } scalar) Pickle.Get(scalar);
            else
            {
                Pickle.Global("numpy.core.multiarray", "scalar");
                _scalarGlobal = Pickle.Memoize();
            }

            if (_float64Dtype is { } dtype) Pickle.Get(dtype);
            else
            {
                Pickle.Global("numpy", "dtype");
                Pickle.Memoize();
                Pickle.ShortBinString("f8");
                Pickle.Memoize();
                Pickle.Int(0);
                Pickle.Int(1);
                Pickle.Op(PickleOpcode.Tuple3);
                Pickle.Memoize();
                Pickle.Op(PickleOpcode.Reduce);
                _float64Dtype = Pickle.Memoize();
                // The dtype's state: (version 3, byte order, subarray, names, fields, elsize, alignment, flags).
                Pickle.Op(PickleOpcode.Mark);
                Pickle.Int(3);
                Pickle.ShortBinString("<");
                Pickle.Memoize();
                Pickle.Op(PickleOpcode.None);
                Pickle.Op(PickleOpcode.None);
                Pickle.Op(PickleOpcode.None);
                Pickle.Int(-1);
                Pickle.Int(-1);
                Pickle.Int(0);
                Pickle.Op(PickleOpcode.Tuple);
                Pickle.Memoize();
                Pickle.Op(PickleOpcode.Build);
            }

            BinaryPrimitives.WriteDoubleLittleEndian(_raw, value);
            Pickle.ShortBinString(_raw);
            Pickle.Memoize();
            Pickle.Op(PickleOpcode.Tuple2);
            Pickle.Memoize();
            Pickle.Op(PickleOpcode.Reduce);
            Pickle.Memoize();
        }
    }
}
