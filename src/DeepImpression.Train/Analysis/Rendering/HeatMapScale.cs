namespace DeepImpression.Train.Analysis.Rendering;

/// <summary>
/// How the values of a map become colour positions and strengths: the sign mode picks which values count and how
/// (see <see cref="SignMode"/>), and <see cref="Limit"/> is the magnitude that reaches the end of the colour map
/// (values beyond it saturate). With <see cref="SignMode.All"/> the limits are symmetric, −Limit to +Limit, so that
/// zero sits exactly at the colour map's middle.
/// </summary>
public sealed class HeatMapScale
{
    /// <summary>A scale with a given sign mode and limit (a limit of zero shows every value as zero).</summary>
    public HeatMapScale(SignMode sign, double limit)
    {
        if (!(limit >= 0) || double.IsInfinity(limit)) throw new ArgumentOutOfRangeException(nameof(limit), $"the limit must be finite and not negative, got {limit}.");
        Sign = sign;
        Limit = limit;
    }

    /// <summary>Which signs of values the scale shows and how.</summary>
    public SignMode Sign { get; }

    /// <summary>The magnitude shown at full strength.</summary>
    public double Limit { get; }

    /// <summary>The value at the colour map's start: −<see cref="Limit"/> for <see cref="SignMode.All"/>, else 0.</summary>
    public double Lower => Sign == SignMode.All ? -Limit : 0;

    /// <summary>The value at the colour map's end.</summary>
    public double Upper => Limit;

    /// <summary>
    /// The scale whose limit is the <paramref name="percentile"/>-th percentile (nearest rank; 100 = the largest) of
    /// the magnitudes the sign mode looks at. Captum's default clips the top 2 % (percentile 98); ours shows the
    /// largest value unless asked. NaN values are ignored.
    /// </summary>
    public static HeatMapScale Fit(ReadOnlySpan<float> values, SignMode sign, double percentile = 100)
    {
        if (!(percentile > 0 && percentile <= 100)) throw new ArgumentOutOfRangeException(nameof(percentile), $"percentile {percentile} must be in (0, 100].");
        var magnitudes = new List<float>(values.Length);
        foreach (var v in values)
            if (!float.IsNaN(v)) magnitudes.Add((float)Magnitude(sign, v));
        if (magnitudes.Count == 0) return new HeatMapScale(sign, 0);
        magnitudes.Sort();
        int rank = (int)Math.Ceiling(percentile / 100 * magnitudes.Count) - 1;
        return new HeatMapScale(sign, magnitudes[Math.Clamp(rank, 0, magnitudes.Count - 1)]);
    }

    /// <summary>How strongly <paramref name="value"/> shows, in [0, 1]: its magnitude under the sign mode over the limit.</summary>
    public double Strength(float value)
    {
        if (float.IsNaN(value) || Limit == 0) return 0;
        return Math.Min(1, Magnitude(Sign, value) / Limit);
    }

    /// <summary>Where <paramref name="value"/> falls on the colour map, in [0, 1] (0.5 is zero for <see cref="SignMode.All"/>).</summary>
    public double Position(float value)
    {
        if (Sign != SignMode.All) return Strength(value);
        if (float.IsNaN(value) || Limit == 0) return 0.5;
        return 0.5 + 0.5 * Math.Clamp(value / Limit, -1, 1);
    }

    /// <summary>The magnitude a sign mode looks at: v, −v or |v|, never below zero.</summary>
    public static double Magnitude(SignMode sign, double value) => sign switch
    {
        SignMode.Positive => Math.Max(value, 0),
        SignMode.Negative => Math.Max(-value, 0),
        _ => Math.Abs(value),
    };

    /// <summary>The sign mode and the range shown, for logs.</summary>
    public override string ToString() => $"{Sign} [{Lower:G4}, {Upper:G4}]";
}
