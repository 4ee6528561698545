using System.Text.Json.Serialization;
using DeepImpression.Train.Data.Labels;

namespace DeepImpression.Train.Synthetic;

/// <summary>
/// The five things a synthetic clip shows and says, one per trait, each a fixed function of a standard score
/// <c>z</c> (clipped to [-2.5, 2.5]) of that trait:
/// <list type="table">
/// <item><term>Extraversion</term><description>voice loudness: peak amplitude <c>0.25 * exp(0.45 z)</c> (heard)</description></item>
/// <item><term>Agreeableness</term><description>background hue <c>120 + 40 z</c> degrees (seen)</description></item>
/// <item><term>Conscientiousness</term><description>scene brightness (HSV value) <c>0.55 + 0.14 z</c> (seen)</description></item>
/// <item><term>Neuroticism</term><description>voice pitch <c>200 * 2^(0.4 z)</c> Hz (heard)</description></item>
/// <item><term>Openness</term><description>background stripes <c>6 * 2^(0.35 z)</c> cycles per frame width (seen) and
/// syllable rate <c>4 * 2^(0.3 z)</c> per second (heard)</description></item>
/// </list>
/// The label of trait k is <c>clamp(mean_k + sd_k * (0.92 z_k + 0.39 e), 0, 1)</c> with <c>e</c> standard normal
/// noise and the mean and spread of the real training labels, so a perfect reader of the cues scores about 0.95
/// (1 - MAE) and the mean predictor about 0.88, as on the real data. <see cref="SyntheticVariant.LocalizedCues"/> moves
/// two cues into one region and one time span (<see cref="SyntheticLocalizedCues"/>); <see cref="BadgeContrast"/> is
/// set only there.
/// </summary>
public sealed record SyntheticCues(double Loudness, double HueDegrees, double Brightness, double PitchHz, double StripeCycles, double SyllablesPerSecond,
                                   [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? BadgeContrast = null)
{
    internal const double ZLimit = 2.5;
    internal const double SignalWeight = 0.92;
    internal const double NoiseWeight = 0.39;

    /// <summary>Real training-label means (E, A, C, N, O) of the second release.</summary>
    public static IReadOnlyList<double> TraitMeans { get; } = [0.476, 0.548, 0.523, 0.520, 0.566];

    /// <summary>Real training-label standard deviations (E, A, C, N, O).</summary>
    public static IReadOnlyList<double> TraitSpreads { get; } = [0.152, 0.136, 0.155, 0.154, 0.147];

    /// <summary>The cues of trait scores <paramref name="z"/> (E, A, C, N, O order).</summary>
    public static SyntheticCues FromScores(ReadOnlySpan<double> z, SyntheticVariant variant = SyntheticVariant.Standard)
    {
        if (z.Length != TraitScores.Count) throw new ArgumentException("Five trait scores expected.");
        double e = Clip(z[0]), a = Clip(z[1]), c = Clip(z[2]), n = Clip(z[3]), o = Clip(z[4]);
        var cues = new SyntheticCues(
            Loudness: 0.25 * Math.Exp(0.45 * e),
            HueDegrees: 120 + 40 * a,
            Brightness: 0.55 + 0.14 * c,
            PitchHz: 200 * Math.Pow(2, 0.4 * n),
            StripeCycles: 6 * Math.Pow(2, 0.35 * o),
            SyllablesPerSecond: 4 * Math.Pow(2, 0.3 * o));
        return variant == SyntheticVariant.LocalizedCues
            ? cues with { Brightness = SyntheticLocalizedCues.FixedBrightness, BadgeContrast = SyntheticLocalizedCues.BadgeContrast(c) }
            : cues;
    }

    /// <summary>The label of every trait from its score and its noise draw.</summary>
    public static TraitScores Labels(ReadOnlySpan<double> z, ReadOnlySpan<double> noise)
    {
        Span<float> v = stackalloc float[TraitScores.Count];
        for (int k = 0; k < TraitScores.Count; k++)
            v[k] = (float)Math.Clamp(TraitMeans[k] + TraitSpreads[k] * (SignalWeight * Clip(z[k]) + NoiseWeight * noise[k]), 0, 1);
        return TraitScores.FromSpan(v);
    }

    internal static double Clip(double z) => Math.Clamp(z, -ZLimit, ZLimit);
}
