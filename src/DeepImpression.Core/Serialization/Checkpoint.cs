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
    public const string OptimizerPrefix = "optimizer/";
    public const string TrainingPrefix = "training/";
    private const string TextSuffix = ".utf8";

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

    /// <summary>
    /// Loads a checkpoint into <paramref name="model"/> (and <paramref name="optimizer"/>, whose state must be complete).
    /// Anything missing or mis-shaped: one error naming the file and the keys, and nothing is changed.
    /// </summary>
    public static CheckpointContents Load(string path, Link model, Optimizer? optimizer = null)
    {
        var arrays = NpzFile.Read(path);
        if (optimizer is not null)
        {
            var missing = optimizer.NamedState().Where(s => !arrays.TryGetValue(OptimizerPrefix + s.Path, out var a) || a.Shape != s.Tensor.Shape)
                .Select(s => OptimizerPrefix + s.Path).ToList();
            if (missing.Count > 0)
                throw new InvalidInputException($"{path}: the optimizer state is missing or mis-shaped for {missing.Count} arrays " +
                                                $"({string.Join(", ", missing.Take(3))}{(missing.Count > 3 ? ", ..." : "")}).");
        }
        ModelWeights.Load(path, arrays, model, allowPartial: false);
        if (optimizer is not null)
        {
            foreach (var (name, t) in optimizer.NamedState()) t.CopyFrom(ModelWeights.ToFloat32(arrays[OptimizerPrefix + name], path));
            optimizer.LoadScalars(arrays.Where(a => a.Key.StartsWith(OptimizerPrefix, StringComparison.Ordinal) && a.Value.Shape.Rank == 0)
                .ToDictionary(a => a.Key[OptimizerPrefix.Length..], a => a.Value.ToFloat64()[0]));
        }
        var scalars = new Dictionary<string, double>();
        var texts = new Dictionary<string, string>();
        foreach (var (key, array) in arrays)
        {
            if (!key.StartsWith(TrainingPrefix, StringComparison.Ordinal)) continue;
            var name = key[TrainingPrefix.Length..];
            if (name.EndsWith(TextSuffix, StringComparison.Ordinal)) texts[name[..^TextSuffix.Length]] = array.ToUtf8();
            else if (array.Shape.Rank == 0) scalars[name] = array.ToFloat64()[0];
        }
        return new CheckpointContents(scalars, texts);
    }
}
