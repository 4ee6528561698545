using DeepImpression.Train.Data.Labels;

namespace DeepImpression.Train.Synthetic;

/// <summary>
/// The ground truth of <see cref="SyntheticVariant.LocalizedCues"/>:
/// <list type="bullet">
/// <item>Conscientiousness is seen only in a <b>badge</b> on the forehead (region <see cref="SyntheticRegions.Badge"/>):
/// a 2 x 2 checkerboard of grey squares whose contrast is <c>0.18 (z + 2.5)</c>, from 0 (a plain grey patch) at
/// z = -2.5 to 0.9 at z = +2.5. The scene brightness no longer depends on it (fixed at the standard variant's
/// 0.55). Masking the badge with any uniform colour removes all its contrast, which reads as the lowest level, so
/// masking shifts every clip's prediction the same way.</item>
/// <item>Extraversion is heard only in the <b>middle third</b> of the clip (<see cref="AudioSpan"/>): the voice has the
/// trait's loudness there and the quietest loudness of the standard range, <see cref="QuietLoudness"/>, before and
/// after.</item>
/// </list>
/// Everything else (the other cues, the people, the labels, the splits) is as in <see cref="SyntheticVariant.Standard"/>.
/// </summary>
public static class SyntheticLocalizedCues
{
    /// <summary>The trait seen only in the badge (index in E, A, C, N, O order).</summary>
    public const int VisualTrait = 2;

    /// <summary>The trait heard only in <see cref="AudioSpan"/> (index in E, A, C, N, O order).</summary>
    public const int AudioTrait = 0;

    /// <summary>Scene brightness of every clip (the standard brightness at z = 0).</summary>
    public const double FixedBrightness = 0.55;

    /// <summary>Contrast of the badge's checkerboard per unit of z above the lowest score.</summary>
    public const double ContrastPerUnit = 0.18;

    /// <summary>Loudness outside the span: the standard loudness at the lowest score, 0.25 exp(0.45 * -2.5).</summary>
    public static readonly double QuietLoudness = 0.25 * Math.Exp(0.45 * -SyntheticCues.ZLimit);

    /// <summary>Name of the visual trait, for messages and tests.</summary>
    public static string VisualTraitName => TraitScores.Names[VisualTrait];

    /// <summary>The badge's checkerboard contrast for a score <paramref name="z"/> (clipped to [-2.5, 2.5]).</summary>
    public static double BadgeContrast(double z) => ContrastPerUnit * (SyntheticCues.Clip(z) + SyntheticCues.ZLimit);

    /// <summary>The seconds [start, end) of a clip of <paramref name="clipSeconds"/> in which the audio trait is heard.</summary>
    public static (double Start, double End) AudioSpan(double clipSeconds) => (clipSeconds / 3, 2 * clipSeconds / 3);
}
