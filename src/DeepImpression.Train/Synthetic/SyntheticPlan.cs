using System.Globalization;
using DeepImpression.Core.Tensors;
using DeepImpression.Train.Data.Labels;

namespace DeepImpression.Train.Synthetic;

/// <summary>
/// Decides every clip of a synthetic set from the seed alone: fake YouTube IDs with 2 to 6 clips each, trait scores,
/// labels, and the split of every clip (60 % train, 20 % validation, 20 % test, assigned per clip, so that as in the
/// real release a YouTube ID can appear in more than one split). The variant never changes the random draws; the
/// localized variant changes the cues and makes its two localized traits independent of the others
/// (<see cref="SyntheticLocalizedCues.IsIndependent"/>).
/// </summary>
public static class SyntheticPlan
{
    /// <summary>Share of a trait score's variance common to all five traits (real labels correlate strongly).</summary>
    public const double CommonFactor = 0.6;

    /// <summary>Spread of a clip's scores around its person's (in standard units, before rescaling to unit variance).</summary>
    public const double ClipJitter = 0.35;

    /// <summary>The training split's name.</summary>
    public const string Train = "train";
    /// <summary>The validation split's name.</summary>
    public const string Validation = "validation";
    /// <summary>The test split's name.</summary>
    public const string Test = "test";

    private const string IdAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    /// <summary>The <paramref name="clips"/> clips of a set: people, scores, cues and split of each, a function of <paramref name="seed"/> alone.</summary>
    public static IReadOnlyList<SyntheticClipSpec> Make(int clips, ulong seed, SyntheticVariant variant = SyntheticVariant.Standard)
    {
        if (clips <= 0) throw new ArgumentOutOfRangeException(nameof(clips));
        var rng = new Rng(seed);
        var drafts = new List<(string Name, SyntheticPerson Person, double[] Scores, double[] Noise, double InterviewNoise, ulong Seed)>();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        while (drafts.Count < clips)
        {
            string id;
            do id = new string(Enumerable.Range(0, 11).Select(_ => IdAlphabet[rng.NextInt(IdAlphabet.Length)]).ToArray());
            while (!ids.Add(id));
            var person = new SyntheticPerson(
                id,
                HeadHueDegrees: 360 * rng.NextDouble(),
                HeadSize: 0.8 + 0.4 * rng.NextDouble(),
                PathSpeedX: 0.05 + 0.25 * rng.NextDouble(),
                PathSpeedY: 0.05 + 0.25 * rng.NextDouble(),
                PathPhase: rng.NextDouble(),
                StripeDrift: -0.4 + 0.8 * rng.NextDouble(),
                Timbre: Enumerable.Range(0, 5).Select(h => (0.2 + rng.NextDouble()) / (h + 1)).ToArray(),
                NoiseLevel: 0.005 + 0.02 * rng.NextDouble());
            double common = rng.NextNormal();
            var personScores = new double[TraitScores.Count];
            for (int k = 0; k < personScores.Length; k++)
            {
                double own = rng.NextNormal();
                personScores[k] = SyntheticLocalizedCues.IsIndependent(variant, k) ? own : Math.Sqrt(CommonFactor) * common + Math.Sqrt(1 - CommonFactor) * own;
            }

            int count = Math.Min(2 + rng.NextInt(5), clips - drafts.Count);
            for (int c = 0; c < count; c++)
            {
                var scores = new double[TraitScores.Count];
                var noise = new double[TraitScores.Count];
                for (int k = 0; k < scores.Length; k++)
                {
                    scores[k] = (personScores[k] + ClipJitter * rng.NextNormal()) / Math.Sqrt(1 + ClipJitter * ClipJitter);
                    noise[k] = rng.NextNormal();
                }
                string name = string.Create(CultureInfo.InvariantCulture, $"{id}.{c:000}.mp4");
                drafts.Add((name, person, scores, noise, rng.NextNormal(), rng.NextUInt64()));
            }
        }

        var order = Enumerable.Range(0, clips).ToArray();
        rng.Shuffle(order);
        int train = (int)Math.Round(0.6 * clips), validation = (int)Math.Round(0.2 * clips);
        if (clips >= 3)
        {
            train = Math.Clamp(train, 1, clips - 2);
            validation = Math.Clamp(validation, 1, clips - train - 1);
        }
        var split = new string[clips];
        for (int i = 0; i < clips; i++) split[order[i]] = i < train ? Train : i < train + validation ? Validation : Test;

        return drafts.Select((d, i) =>
        {
            var labels = SyntheticCues.Labels(d.Scores, d.Noise);
            // The second release's 'interview' score tracks the traits; here: their mean moved to the real mean, plus noise.
            double mean = (labels.Extraversion + labels.Agreeableness + labels.Conscientiousness + labels.Neuroticism + labels.Openness) / 5.0;
            float interview = (float)Math.Clamp(0.504 + (mean - 0.5266) * 1.1 + 0.06 * d.InterviewNoise, 0, 1);
            return new SyntheticClipSpec(d.Name, split[i], d.Person, d.Scores, SyntheticCues.FromScores(d.Scores, variant), labels, interview, d.Seed, variant);
        }).ToArray();
    }
}
