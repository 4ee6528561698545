using DeepImpression.Train.Data.Labels;

namespace DeepImpression.Train.Synthetic;

/// <summary>
/// The ground truth of <see cref="SyntheticVariant.LocalizedCues"/>:
/// <list type="bullet">
/// <item>Conscientiousness is seen only in a <b>badge</b>, a square of a fifth of the frame's height in its top-left
/// corner, drawn over everything else (region <see cref="SyntheticRegions.Badge"/>):
/// a 2 x 2 checkerboard of magenta and green squares around mid grey, of about equal luminance, whose colour
/// contrast is <c>0.18 (z + 2.5)</c>: from 0 (a plain grey patch) at z = -2.5 to 0.9 (vivid squares) at z = +2.5. The scene brightness no longer depends on it (fixed at the standard variant's
/// 0.55). Masking the badge with any uniform colour removes all its contrast, which reads as the lowest level, so
/// masking shifts every clip's prediction the same way.</item>
/// <item>Extraversion is heard only in the <b>middle third</b> of the clip (<see cref="AudioSpan"/>): the voice has the
/// trait's loudness there and the quietest loudness of the standard range, <see cref="QuietLoudness"/>, before and
/// after.</item>
/// </list>
/// The scores of these two traits are drawn independent of the other three (without the common factor that makes
/// the standard variant's traits correlate), so that a network can predict them only from their own cues and an
/// occlusion analysis has one right answer for each. Everything else (the other traits' scores and cues, the people,
/// the splits, every random draw) is as in <see cref="SyntheticVariant.Standard"/>.
/// </summary>
internal static class SyntheticLocalizedCues
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

    /// <summary>Whether trait <paramref name="trait"/>'s scores are drawn without the common factor in <paramref name="variant"/>.</summary>
    public static bool IsIndependent(SyntheticVariant variant, int trait) =>
        variant == SyntheticVariant.LocalizedCues && trait is VisualTrait or AudioTrait;

    /// <summary>Name of the visual trait, for messages and tests.</summary>
    public static string VisualTraitName => TraitScores.Names[VisualTrait];

    /// <summary>The badge's checkerboard contrast for a score <paramref name="z"/> (clipped to [-2.5, 2.5]).</summary>
    public static double BadgeContrast(double z) => ContrastPerUnit * (SyntheticCues.Clip(z) + SyntheticCues.ZLimit);

    /// <summary>The seconds [start, end) of a clip of <paramref name="clipSeconds"/> in which the audio trait is heard.</summary>
    public static (double Start, double End) AudioSpan(double clipSeconds) => (clipSeconds / 3, 2 * clipSeconds / 3);
}
