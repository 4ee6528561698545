using DeepImpression.Core.Layers;
using DeepImpression.Core.Tensors;

namespace DeepImpression.Core.Serialization;

/// <summary>
/// Loads parameters and running statistics into a model from an npz whose keys are the model's paths, as the
/// original Chainer implementation saved them, possibly under a prefix (<c>predictor/</c>, <c>updater/model:main/</c>).
/// The extra batch-norm counters <c>.../N</c> are accepted and ignored; optimizer and training state are skipped.
/// Names and declared shapes are matched first, from the zip's directory and each array's header; only arrays that fit
/// the model are then inflated, so a file can make us inflate no more than the model holds.
/// </summary>
public static class ModelWeights
{
    /// <summary>Key prefixes the original's Chainer snapshots put before the model's paths (trainer snapshots, classifier wrappers); the first that makes the keys match is stripped.</summary>
    public static IReadOnlyList<string> KnownPrefixes { get; } =
        ["", "predictor/", "updater/model:main/", "updater/model:main/predictor/", "model/", "main/", "model/predictor/"];

    /// <summary>
    /// Copies every matching array into <paramref name="model"/>. Missing or mis-shaped keys make it refuse (nothing
    /// is changed) unless <paramref name="allowPartial"/>; unexpected keys are only reported (and never inflated).
    /// </summary>
    public static WeightLoadReport Load(string path, Link model, bool allowPartial = false)
    {
        using var archive = NpzArchive.Open(path);
        return Load(archive, model, allowPartial);
    }

    /// <summary>As <see cref="Load(string, Link, bool)"/>, from arrays already in memory.</summary>
    public static WeightLoadReport Load(string path, IReadOnlyDictionary<string, NpyArray> arrays, Link model, bool allowPartial) =>
        Load(new InMemoryArrays(path, arrays), model, allowPartial);

    /// <summary>As <see cref="Load(string, Link, bool)"/>, from any array source; all arrays are read before any is copied.</summary>
    public static WeightLoadReport Load(IArraySource source, Link model, bool allowPartial = false)
    {
        var match = Match(source, model, allowPartial);
        Copy(ReadPlanned(source, match.Plan));
        model.ParametersChanged();
        return match.Report;
    }

    /// <summary>What fits where: the report, and which key goes into which tensor.</summary>
    internal sealed record WeightMatch(WeightLoadReport Report, IReadOnlyList<(Tensor Target, string Key)> Plan);

    /// <summary>Matches the source's names and declared shapes against the model, reading no data. Refuses an
    /// incomplete match unless <paramref name="allowPartial"/>.</summary>
    internal static WeightMatch Match(IArraySource source, Link model, bool allowPartial)
    {
        var state = model.NamedState().ToDictionary(p => p.Path, p => p.Tensor);
        var keys = source.Keys;
        string prefix = KnownPrefixes
            .OrderByDescending(p => keys.Count(k => k.StartsWith(p, StringComparison.Ordinal) && state.ContainsKey(k[p.Length..])))
            .ThenBy(p => p.Length)
            .First();

        var loaded = new List<string>();
        var misshaped = new List<string>();
        var unexpected = new List<string>();
        int counters = 0;
        var plan = new List<(Tensor Target, string Key)>();
        foreach (var key in keys.Order(StringComparer.Ordinal))
        {
            if (key.StartsWith(Checkpoint.OptimizerPrefix, StringComparison.Ordinal) || key.StartsWith(Checkpoint.TrainingPrefix, StringComparison.Ordinal)) continue;
            if (!key.StartsWith(prefix, StringComparison.Ordinal))
            {
                unexpected.Add(key);
                continue;
            }
            var path = key[prefix.Length..];
            if (!state.TryGetValue(path, out var target))
            {
                if (path.EndsWith("/N", StringComparison.Ordinal) && state.ContainsKey(path[..^2] + "/avg_mean")) counters++;
                else unexpected.Add(key);
                continue;
            }
            var shape = source.Describe(key).Shape;
            if (!Fits(shape, target.Shape))
            {
                misshaped.Add($"{path} (file {shape}, model {target.Shape})");
                continue;
            }
            plan.Add((target, key));
            loaded.Add(path);
        }
        var loadedSet = loaded.ToHashSet(StringComparer.Ordinal);
        var missing = state.Keys.Where(k => !loadedSet.Contains(k) && !misshaped.Any(m => m.StartsWith(k + " ", StringComparison.Ordinal)))
            .OrderBy(k => k, StringComparer.Ordinal).ToList();
        var report = new WeightLoadReport(source.Path, prefix, loaded, missing, unexpected, misshaped, counters);
        if (!report.IsComplete && !allowPartial)
            throw new InvalidInputException($"{source.Path}: does not fit the model: {report.Describe()}. Nothing was loaded (allow a partial load to load the rest).");
        return new WeightMatch(report, plan);
    }

    /// <summary>A stored shape fits a tensor when it is the same, or a vector of the same length (0-d or 1-d).</summary>
    internal static bool Fits(Shape stored, Shape target) =>
        stored == target || (stored.Count == target.Count && stored.Rank <= 1 && target.Rank == 1);

    /// <summary>Reads every planned array as float32, checking it is what its header declared.</summary>
    internal static List<(Tensor Target, float[] Values)> ReadPlanned(IArraySource source, IEnumerable<(Tensor Target, string Key)> plan)
    {
        var values = new List<(Tensor, float[])>();
        foreach (var (target, key) in plan)
        {
            var array = source.Read(key);
            if (!Fits(array.Shape, target.Shape))
                throw new InvalidInputException($"{source.Path}: array '{key}' has shape {array.Shape}, the model needs {target.Shape}.");
            values.Add((target, ToFloat32(array, source.Path)));
        }
        return values;
    }

    internal static void Copy(IEnumerable<(Tensor Target, float[] Values)> values)
    {
        foreach (var (target, v) in values) target.CopyFrom(v);
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
