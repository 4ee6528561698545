using System.Numerics;
using System.Runtime.InteropServices;
using DeepImpression.Core.Tensors;

namespace DeepImpression.Train.Evaluation;

/// <summary>
/// Finds arrays of a model's (or an optimizer's) state that hold NaN or an infinity: weights that must never be saved
/// as a good checkpoint nor loaded for prediction unless asked. One pass over the values with no branch per value
/// (0·x is 0 exactly when x is finite), a few milliseconds for the whole network.
/// </summary>
internal static class FiniteWeights
{
    /// <summary>The paths of the arrays with a value that is not finite, in the order given.</summary>
    public static List<string> Broken(IEnumerable<(string Path, Tensor Tensor)> state)
    {
        var broken = new List<string>();
        float[] buffer = [];
        foreach (var (path, tensor) in state)
        {
            if (buffer.Length < tensor.Count) buffer = new float[tensor.Count];
            var values = buffer.AsSpan(0, tensor.Count);
            tensor.CopyTo(values);
            if (!AllFinite(values)) broken.Add(path);
        }
        return broken;
    }

    /// <summary>True when no value is NaN or infinite.</summary>
    public static bool AllFinite(ReadOnlySpan<float> values)
    {
        var zero = Vector<float>.Zero;
        var product = Vector<float>.Zero;
        var vectors = MemoryMarshal.Cast<float, Vector<float>>(values);
        foreach (var v in vectors) product += v * zero;
        float tail = 0;
        for (int i = vectors.Length * Vector<float>.Count; i < values.Length; i++) tail += values[i] * 0f;
        return Vector.EqualsAll(product, zero) && tail == 0;
    }

    /// <summary>"N arrays (a, b, c, ...)" for a message.</summary>
    public static string Describe(IReadOnlyList<string> broken) =>
        $"{broken.Count} array{(broken.Count == 1 ? "" : "s")} ({string.Join(", ", broken.Take(3))}{(broken.Count > 3 ? ", ..." : "")})";
}
