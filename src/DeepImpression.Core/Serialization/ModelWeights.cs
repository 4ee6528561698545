using DeepImpression.Core.Layers;

namespace DeepImpression.Core.Serialization;

/// <summary>
/// Loads parameters and running statistics into a model from an npz whose keys are the model's paths, as the
/// original Chainer implementation saved them, possibly under a prefix (<c>predictor/</c>, <c>updater/model:main/</c>).
/// The extra batch-norm counters <c>.../N</c> are accepted and ignored; optimizer and training state are skipped.
/// </summary>
public static class ModelWeights
{
    public static IReadOnlyList<string> KnownPrefixes { get; } =
        ["", "predictor/", "updater/model:main/", "updater/model:main/predictor/", "model/", "main/", "model/predictor/"];

    /// <summary>
    /// Copies every matching array into <paramref name="model"/>. Missing or mis-shaped keys make it refuse (nothing
    /// is changed) unless <paramref name="allowPartial"/>; unexpected keys are only reported.
    /// </summary>
    public static WeightLoadReport Load(string path, Link model, bool allowPartial = false) =>
        Load(path, NpzFile.Read(path), model, allowPartial);

    public static WeightLoadReport Load(string path, IReadOnlyDictionary<string, NpyArray> arrays, Link model, bool allowPartial)
    {
        var state = model.NamedState().ToDictionary(p => p.Path, p => p.Tensor);
        string prefix = KnownPrefixes
            .OrderByDescending(p => arrays.Keys.Count(k => k.StartsWith(p, StringComparison.Ordinal) && state.ContainsKey(k[p.Length..])))
            .ThenBy(p => p.Length)
            .First();

        var loaded = new List<string>();
        var misshaped = new List<string>();
        var unexpected = new List<string>();
        int counters = 0;
        var plan = new List<(Tensors.Tensor Target, NpyArray Source)>();
        foreach (var (key, array) in arrays.OrderBy(k => k.Key, StringComparer.Ordinal))
        {
            if (key.StartsWith(Checkpoint.OptimizerPrefix, StringComparison.Ordinal) || key.StartsWith(Checkpoint.TrainingPrefix, StringComparison.Ordinal)) continue;
            if (!key.StartsWith(prefix, StringComparison.Ordinal))
            {
                unexpected.Add(key);
                continue;
            }
            var path2 = key[prefix.Length..];
            if (!state.TryGetValue(path2, out var target))
            {
                if (path2.EndsWith("/N", StringComparison.Ordinal) && state.ContainsKey(path2[..^2] + "/avg_mean")) counters++;
                else unexpected.Add(key);
                continue;
            }
            if (array.Shape != target.Shape && !(array.Count == target.Count && array.Shape.Rank <= 1 && target.Rank == 1))
            {
                misshaped.Add($"{path2} (file {array.Shape}, model {target.Shape})");
                continue;
            }
            plan.Add((target, array));
            loaded.Add(path2);
        }
        var missing = state.Keys.Where(k => !loaded.Contains(k) && !misshaped.Any(m => m.StartsWith(k + " ", StringComparison.Ordinal)))
            .OrderBy(k => k, StringComparer.Ordinal).ToList();
        var report = new WeightLoadReport(path, prefix, loaded, missing, unexpected, misshaped, counters);
        if (!report.IsComplete && !allowPartial)
            throw new InvalidInputException($"{path}: does not fit the model: {report.Describe()}. Nothing was loaded (allow a partial load to load the rest).");
        foreach (var (target, source) in plan) target.CopyFrom(ToFloat32(source, path));
        model.ParametersChanged();
        return report;
    }

    internal static float[] ToFloat32(NpyArray array, string path)
    {
        try
        {
            return array.ToFloat32();
        }
        catch (Exception e) when (e is InvalidOperationException or NotSupportedException or InvalidCastException)
        {
            throw new InvalidInputException($"{path}: an array of type {array.DataType.Descr()} cannot be read as float32 weights.");
        }
    }
}
