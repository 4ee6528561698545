using DeepImpression.Core.Tensors;
using DeepImpression.Train.Data;

namespace DeepImpression.Train.Synthetic;

/// <summary>
/// The sound of a synthetic clip at 16 kHz: a voice-like harmonic tone (the person's timbre) at the clip's pitch with a
/// slow intonation swing, switched on and off in syllables at the clip's syllable rate, at the clip's loudness, over
/// a faint hiss (the person's noise level).
/// </summary>
internal static class SyntheticVoice
{
    public static float[] Render(SyntheticClipSpec clip, double seconds)
    {
        int n = (int)Math.Round(seconds * ClipFormat.SampleRate);
        var samples = new float[n];
        var rng = new Rng(clip.Seed);
        var timbre = clip.Person.Timbre;
        double norm = timbre.Sum();
        double phase = 0;
        double dt = 1.0 / ClipFormat.SampleRate;
        for (int i = 0; i < n; i++)
        {
            double t = i * dt;
            double f0 = clip.Cues.PitchHz * (1 + 0.04 * Math.Sin(2 * Math.PI * (0.7 * t + clip.Person.PathPhase)));
            phase += 2 * Math.PI * f0 * dt;
            double voice = 0;
            for (int k = 0; k < timbre.Length; k++) voice += timbre[k] * Math.Sin((k + 1) * phase);
            double v = clip.Loudness(t, seconds) * clip.Envelope(t) * voice / norm + clip.Person.NoiseLevel * rng.NextNormal();
            samples[i] = (float)Math.Clamp(v, -1, 1);
        }
        return samples;
    }
}
