using DeepImpression.Train.Data.Labels;

namespace DeepImpression.Train.Synthetic;

/// <summary>
/// The look and sound of one fake person (one fake YouTube video), shared by all its clips. These carry no trait
/// information: they let a network memorise a person without learning the cues, as real faces do.
/// </summary>
public sealed record SyntheticPerson(
    string YouTubeId,
    double HeadHueDegrees,
    double HeadSize,
    double PathSpeedX,
    double PathSpeedY,
    double PathPhase,
    double StripeDrift,
    double[] Timbre,
    double NoiseLevel);

/// <summary>One synthetic clip: who, which split, its trait scores, the cues they produce, and its labels.</summary>
public sealed record SyntheticClipSpec(
    string Name,
    string Split,
    SyntheticPerson Person,
    double[] Scores,
    SyntheticCues Cues,
    TraitScores Labels,
    float Interview,
    ulong Seed,
    SyntheticVariant Variant = SyntheticVariant.Standard)
{
    /// <summary>The voice's peak amplitude at <paramref name="seconds"/> into a clip of <paramref name="clipSeconds"/>:
    /// the loudness cue throughout, or (localized variant) only inside <see cref="SyntheticLocalizedCues.AudioSpan"/>.</summary>
    public double Loudness(double seconds, double clipSeconds)
    {
        if (Variant != SyntheticVariant.LocalizedCues) return Cues.Loudness;
        var (start, end) = SyntheticLocalizedCues.AudioSpan(clipSeconds);
        return seconds >= start && seconds < end ? Cues.Loudness : SyntheticLocalizedCues.QuietLoudness;
    }

    /// <summary>The syllable envelope in [0, 1] at time <paramref name="seconds"/>: drives the voice and the mouth.</summary>
    public double Envelope(double seconds)
    {
        double beat = Cues.SyllablesPerSecond * seconds + Person.PathPhase;
        long syllable = (long)Math.Floor(beat);
        if (!Voiced(syllable)) return 0;
        double s = Math.Sin(Math.PI * (beat - syllable));
        return s * s;
    }

    // About one syllable in seven is a pause, chosen by a hash of the clip seed so every sample agrees.
    private bool Voiced(long syllable)
    {
        ulong h = (Seed ^ (ulong)syllable * 0x9E3779B97F4A7C15UL) * 0xBF58476D1CE4E5B9UL;
        h ^= h >> 31;
        return h % 7 != 0;
    }
}
