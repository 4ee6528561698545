using System.Globalization;

namespace DeepImpression.Core.Serialization;

/// <summary>
/// Reads the run state a checkpoint carries under <c>training/</c>, refusing a value no run could have written (a
/// negative epoch, a position of 1e18, NaN), with one line naming the file, the key and the allowed range. A missing
/// key means the file is not a training checkpoint.
/// </summary>
public sealed class CheckpointScalars(IReadOnlyDictionary<string, double> scalars, string path)
{
    /// <summary>Doubles hold every whole number up to this exactly.</summary>
    public const long MaxExactWhole = 1L << 53;

    /// <summary>A whole number in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public long Whole(string name, long min, long max)
    {
        double v = Get(name);
        if (!(v >= min && v <= Math.Min(max, MaxExactWhole)) || v != Math.Floor(v))
            throw Refuse(name, v, $"a whole number from {min} to {Math.Min(max, MaxExactWhole)}");
        return (long)v;
    }

    /// <summary>A whole number that fits an <see cref="int"/>, from <paramref name="min"/>.</summary>
    public int WholeInt(string name, int min = 0, int max = int.MaxValue) => (int)Whole(name, min, max);

    /// <summary>A finite number in [<paramref name="min"/>, <paramref name="max"/>]; with
    /// <paramref name="orNegativeInfinity"/> also -infinity (a best score before any was measured).</summary>
    public double Number(string name, double min, double max, bool orNegativeInfinity = false)
    {
        double v = Get(name);
        if (orNegativeInfinity && double.IsNegativeInfinity(v)) return v;
        if (!(v >= min && v <= max) || !double.IsFinite(v))
            throw Refuse(name, v, string.Create(CultureInfo.InvariantCulture, $"a number from {min:R} to {max:R}") + (orNegativeInfinity ? " (or -inf)" : ""));
        return v;
    }

    /// <summary>Refuses the file for a value that contradicts another (e.g. a position past the end of an epoch).</summary>
    public InvalidInputException Inconsistent(string name, string problem) =>
        new($"{path}: {Checkpoint.TrainingPrefix}{name} = {Show(Get(name))}: {problem}");

    private double Get(string name) => scalars.TryGetValue(name, out var v) ? v
        : throw new InvalidInputException($"{path}: not a training checkpoint (no {Checkpoint.TrainingPrefix}{name}); import weights with 'deepimpression import' instead.");

    private InvalidInputException Refuse(string name, double value, string allowed) =>
        new($"{path}: {Checkpoint.TrainingPrefix}{name} = {Show(value)}, but it must be {allowed}; the checkpoint is damaged or was edited.");

    private static string Show(double v) => v.ToString("R", CultureInfo.InvariantCulture);
}
