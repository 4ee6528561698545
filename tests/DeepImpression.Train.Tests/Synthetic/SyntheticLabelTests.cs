using DeepImpression.Train.Data.Labels;
using DeepImpression.Train.Synthetic;

namespace DeepImpression.Train.Tests.Synthetic;

/// <summary>The labels follow the real label statistics, and the documented cues predict them far better than the mean.</summary>
[TestFixture]
public class SyntheticLabelTests
{
    private static readonly IReadOnlyList<SyntheticClipSpec> Plan = SyntheticPlan.Make(6000, 11);

    [Test]
    public void Label_means_and_spreads_are_like_the_real_ones()
    {
        for (int k = 0; k < TraitScores.Count; k++)
        {
            var v = Plan.Select(c => (double)c.Labels[k]).ToArray();
            double mean = v.Average();
            double sd = Math.Sqrt(v.Select(x => (x - mean) * (x - mean)).Average());
            Assert.That(mean, Is.EqualTo(SyntheticCues.TraitMeans[k]).Within(0.015), TraitScores.Names[k]);
            Assert.That(sd, Is.InRange(0.12, 0.16), TraitScores.Names[k]);
            Assert.That(v.All(x => x is >= 0 and <= 1), Is.True);
        }
        var interview = Plan.Select(c => (double)c.Interview).ToArray();
        Assert.That(interview.Average(), Is.EqualTo(0.504).Within(0.02));
    }

    [Test]
    public void Traits_correlate_as_real_traits_do()
    {
        double r = Correlation(Plan.Select(c => (double)c.Labels.Extraversion).ToArray(), Plan.Select(c => (double)c.Labels.Openness).ToArray());
        Assert.That(r, Is.InRange(0.35, 0.75));
    }

    [Test]
    public void Reading_the_documented_cues_beats_the_mean_predictor_by_a_wide_margin()
    {
        // Invert the documented cue formulas (not the code's scores) to predict each label.
        double meanAccuracy = 0, cueAccuracy = 0;
        foreach (var c in Plan)
        {
            var cues = c.Cues;
            double[] z =
            [
                Math.Log(cues.Loudness / 0.25) / 0.45,
                (cues.HueDegrees - 120) / 40,
                (cues.Brightness - 0.55) / 0.14,
                Math.Log2(cues.PitchHz / 200) / 0.4,
                Math.Log2(cues.StripeCycles / 6) / 0.35,
            ];
            Assert.That(Math.Log2(cues.SyllablesPerSecond / 4) / 0.3, Is.EqualTo(z[4]).Within(1e-9));
            for (int k = 0; k < 5; k++)
            {
                double predicted = Math.Clamp(SyntheticCues.TraitMeans[k] + SyntheticCues.TraitSpreads[k] * SyntheticCues.SignalWeight * z[k], 0, 1);
                cueAccuracy += 1 - Math.Abs(predicted - c.Labels[k]);
                meanAccuracy += 1 - Math.Abs(SyntheticCues.TraitMeans[k] - c.Labels[k]);
            }
        }
        cueAccuracy /= Plan.Count * 5;
        meanAccuracy /= Plan.Count * 5;
        Assert.That(meanAccuracy, Is.InRange(0.87, 0.895));
        Assert.That(cueAccuracy, Is.GreaterThan(0.945));
    }

    [Test]
    public void Clips_of_one_YouTube_ID_share_a_person_and_similar_traits()
    {
        var groups = Plan.GroupBy(c => c.Person.YouTubeId).Where(g => g.Count() > 1).ToArray();
        Assert.That(groups.Length, Is.GreaterThan(500));
        Assert.That(groups.All(g => g.Select(c => c.Person).Distinct().Count() == 1), Is.True);
        Assert.That(Plan.GroupBy(c => c.Person.YouTubeId).All(g => g.Count() is >= 1 and <= 6), Is.True);
        // Within an ID the scores differ far less than across IDs.
        double within = groups.Average(g => g.Select(c => c.Scores[0]).ToArray() is var s ? s.Max() - s.Min() : 0);
        double across = groups.Select(g => g.First().Scores[0]).ToArray() is var a ? a.Max() - a.Min() : 0;
        Assert.That(within, Is.LessThan(across / 4));
        Assert.That(Plan.Count(c => c.Split == "train"), Is.EqualTo(3600));
        Assert.That(Plan.Count(c => c.Split == "validation"), Is.EqualTo(1200));
    }

    private static double Correlation(double[] a, double[] b)
    {
        double ma = a.Average(), mb = b.Average();
        double ab = 0, aa = 0, bb = 0;
        for (int i = 0; i < a.Length; i++)
        {
            ab += (a[i] - ma) * (b[i] - mb);
            aa += (a[i] - ma) * (a[i] - ma);
            bb += (b[i] - mb) * (b[i] - mb);
        }
        return ab / Math.Sqrt(aa * bb);
    }
}
