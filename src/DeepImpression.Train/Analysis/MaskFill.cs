using System.Globalization;
using DeepImpression.Core;

namespace DeepImpression.Train.Analysis;

/// <summary>
/// What a mask puts in place of the input (Captum's <c>baselines</c>): the input's own mean per channel (for a
/// frame, its mean colour: the poster's choice and the default), or given values, one for all channels or one per
/// channel (0 for silence in audio).
/// </summary>
public sealed class MaskFill
{
    private readonly float[]? _values;

    private MaskFill(float[]? values) => _values = values;

    /// <summary>Each channel's mean over the input being masked.</summary>
    public static MaskFill InputMean { get; } = new(null);

    /// <summary>Fixed values: one for every channel, or one per channel.</summary>
    public static MaskFill Constant(params float[] values) =>
        values.Length > 0 ? new MaskFill(values) : throw new ArgumentException("a constant fill needs at least one value.", nameof(values));

    /// <summary><c>mean</c>, a number, or numbers separated by commas (one per channel).</summary>
    public static MaskFill Parse(string text, string what)
    {
        text = text.Trim();
        if (text.Equals("mean", StringComparison.OrdinalIgnoreCase)) return InputMean;
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        var values = new float[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!float.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out values[i]) || !float.IsFinite(values[i]))
                throw new InvalidInputException($"{what} '{text}': expected 'mean', a number, or one number per channel separated by commas.");
        return new MaskFill(values);
    }

    /// <summary>The value per channel for <paramref name="input"/> (C planes of equal size).</summary>
    public float[] Resolve(ReadOnlySpan<float> input, int channels)
    {
        if (_values is { } values)
        {
            if (values.Length == 1) return Enumerable.Repeat(values[0], channels).ToArray();
            if (values.Length != channels) throw new InvalidInputException($"the fill has {values.Length} values; the input has {channels} channels.");
            return (float[])values.Clone();
        }
        int plane = input.Length / channels;
        var means = new float[channels];
        for (int c = 0; c < channels; c++)
        {
            double sum = 0;
            foreach (var v in input.Slice(c * plane, plane)) sum += v;
            means[c] = (float)(sum / plane);
        }
        return means;
    }

    /// <summary>The fill as written on the command line: <c>mean</c>, or the constant values separated by commas.</summary>
    public override string ToString() => _values is null ? "mean" : string.Join(",", _values.Select(v => v.ToString(CultureInfo.InvariantCulture)));
}
