using DeepImpression.Core.Layers;
using DeepImpression.Core.Optim;
using DeepImpression.Core.Tensors;

namespace DeepImpression.Core.Serialization;

/// <summary>What a checkpoint carries besides the arrays it loaded into the model and optimizer.</summary>
public sealed record CheckpointContents(IReadOnlyDictionary<string, double> Scalars, IReadOnlyDictionary<string, string> Texts);

/// <summary>
/// A training checkpoint is one npz, written atomically: the model's parameters and running statistics under their
/// paths (<c>aud/conv1_relu/conv/W</c>, readable by numpy and by the original's loader), the optimizer's per-parameter
/// state under <c>optimizer/&lt;path&gt;/m</c> and its scalars (<c>optimizer/t</c>, ...), and the training state
/// under <c>training/</c>: scalars as 0-d float64, texts (the configuration JSON) as UTF-8 byte arrays.
/// </summary>
public static class Checkpoint
{
    /// <summary>Key prefix of the optimizer's state and scalars in a checkpoint.</summary>
    public const string OptimizerPrefix = "optimizer/";
    /// <summary>Key prefix of the training scalars and texts in a checkpoint.</summary>
    public const string TrainingPrefix = "training/";
    private const string TextSuffix = ".utf8";

    /// <summary>Writes <paramref name="model"/>'s state, and optionally the optimizer's and the run's, to the .npz <paramref name="path"/> atomically.</summary>
    /// <param name="path">The file to write; a failed write leaves the previous one intact.</param>
    /// <param name="model">Parameters and persistent state, saved under their paths.</param>
    /// <param name="optimizer">Its state and scalars, under <see cref="OptimizerPrefix"/>; null for weights only.</param>
    /// <param name="scalars">Numbers of the run (epoch, step, best score), under <see cref="TrainingPrefix"/>.</param>
    /// <param name="texts">Texts of the run (the configuration JSON), under <see cref="TrainingPrefix"/>.</param>
    public static void Save(string path, Link model, Optimizer? optimizer = null,
        IReadOnlyDictionary<string, double>? scalars = null, IReadOnlyDictionary<string, string>? texts = null)
    {
        var arrays = new List<(string, NpyArray)>();
        foreach (var (name, t) in model.NamedState()) arrays.Add((name, new NpyArray(t.ToArray(), t.Shape)));
        if (optimizer is not null)
        {
            foreach (var (name, t) in optimizer.NamedState()) arrays.Add((OptimizerPrefix + name, new NpyArray(t.ToArray(), t.Shape)));
            foreach (var (name, v) in optimizer.Scalars()) arrays.Add((OptimizerPrefix + name, NpyArray.Scalar(v)));
        }
        foreach (var (name, v) in scalars ?? new Dictionary<string, double>()) arrays.Add((TrainingPrefix + name, NpyArray.Scalar(v)));
        foreach (var (name, v) in texts ?? new Dictionary<string, string>()) arrays.Add((TrainingPrefix + name + TextSuffix, NpyArray.Utf8(v)));
        NpzFile.Write(path, arrays);
    }

    /// <summary>Longest text a checkpoint may carry (the configuration JSON is about a kilobyte).</summary>
    public const int MaxTextBytes = 1 << 20;

    /// <summary>
    /// Loads a checkpoint into <paramref name="model"/> (and <paramref name="optimizer"/>, whose state must be complete).
    /// Anything missing or mis-shaped: one error naming the file and the keys, and nothing is changed. Names and
    /// declared shapes are checked before any data is inflated, and only arrays the model and optimizer can hold (plus
    /// the training scalars and texts, each bounded) are read.
    /// </summary>
    public static CheckpointContents Load(string path, Link model, Optimizer? optimizer = null)
    {
        using var archive = NpzArchive.Open(path);
        var optimizerPlan = new List<(Tensor Target, string Key)>();
        if (optimizer is not null)
        {
            var missing = new List<string>();
            foreach (var (name, tensor) in optimizer.NamedState())
            {
                var key = OptimizerPrefix + name;
                if (archive.Contains(key) && archive.Describe(key).Shape == tensor.Shape) optimizerPlan.Add((tensor, key));
                else missing.Add(key);
            }
            if (missing.Count > 0)
                throw new InvalidInputException($"{path}: the optimizer state is missing or mis-shaped for {missing.Count} arrays " +
                                                $"({string.Join(", ", missing.Take(3))}{(missing.Count > 3 ? ", ..." : "")}).");
        }
        var match = ModelWeights.Match(archive, model, allowPartial: false);

        var values = ModelWeights.ReadPlanned(archive, match.Plan);
        values.AddRange(ModelWeights.ReadPlanned(archive, optimizerPlan));
        var optimizerScalars = new Dictionary<string, double>();
        foreach (var name in optimizer?.Scalars().Keys ?? [])
            if (ReadScalar(archive, OptimizerPrefix + name) is { } v) optimizerScalars[name] = v;
        if (optimizerScalars.TryGetValue("t", out var t) && !(t >= 0 && t <= 1L << 53 && t == Math.Floor(t)))
            throw new InvalidInputException($"{path}: {OptimizerPrefix}t = {t}; the optimizer's step count must be a whole number from 0.");

        var scalars = new Dictionary<string, double>();
        var texts = new Dictionary<string, string>();
        foreach (var key in archive.Keys)
        {
            if (!key.StartsWith(TrainingPrefix, StringComparison.Ordinal)) continue;
            var name = key[TrainingPrefix.Length..];
            if (name.EndsWith(TextSuffix, StringComparison.Ordinal)) texts[name[..^TextSuffix.Length]] = ReadText(archive, key);
            else if (ReadScalar(archive, key) is { } v) scalars[name] = v;
        }

        ModelWeights.Copy(values);
        model.ParametersChanged();
        optimizer?.LoadScalars(optimizerScalars);
        return new CheckpointContents(scalars, texts);
    }

    /// <summary>True when <paramref name="path"/> is an npz that holds a training run's state (optimizer moments or
    /// <c>training/</c> scalars; imported weights carry only a text): a file that must not be overwritten by anything
    /// else. Reads only the zip's directory.</summary>
    public static bool IsTrainingCheckpoint(string path)
    {
        if (!NpzFile.LooksLikeNpz(path)) return false;
        try
        {
            using var archive = NpzArchive.Open(path);
            return archive.Keys.Any(k => k.StartsWith(OptimizerPrefix, StringComparison.Ordinal)
                                         || (k.StartsWith(TrainingPrefix, StringComparison.Ordinal) && !k.EndsWith(TextSuffix, StringComparison.Ordinal)));
        }
        catch (InvalidInputException)
        {
            return false;
        }
    }

    // A 0-d array as a number; anything else under a scalar's name is not read.
    private static double? ReadScalar(NpzArchive archive, string key)
    {
        if (!archive.Contains(key) || archive.Describe(key) is not { Shape.Rank: 0 } info || info.DataType == NpyDataType.Bool) return null;
        return archive.Read(key).ToFloat64()[0];
    }

    private static string ReadText(NpzArchive archive, string key)
    {
        var info = archive.Describe(key);
        if (info.DataType != NpyDataType.UInt8 || info.Shape.Rank != 1 || info.DataBytes > MaxTextBytes)
            throw new InvalidInputException($"{archive.Path}: '{key}' should be UTF-8 text of at most {MaxTextBytes:N0} bytes, not {info.Descr} {info.Shape}.");
        return archive.Read(key).ToUtf8();
    }
}
