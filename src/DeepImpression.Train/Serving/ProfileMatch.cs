using DeepImpression.Train.Data.Labels;

namespace DeepImpression.Train.Serving;

/// <summary>A profile and its Euclidean distance to a result in the five-dimensional trait space.</summary>
public sealed record ProfileMatch(TraitProfile Profile, double Distance)
{
    /// <summary>
    /// The <paramref name="count"/> profiles nearest to <paramref name="scores"/> by Euclidean distance over the five
    /// traits, nearest first; ties keep the file's order.
    /// </summary>
    public static IReadOnlyList<ProfileMatch> Closest(TraitScores scores, IEnumerable<TraitProfile> profiles, int count) =>
        profiles.Select(p => new ProfileMatch(p, TraitDistance(scores, p.Scores)))
            .OrderBy(m => m.Distance)
            .Take(count)
            .ToList();

    /// <summary>Euclidean distance between two sets of trait levels, in float64.</summary>
    public static double TraitDistance(TraitScores a, TraitScores b)
    {
        double sum = 0;
        for (int t = 0; t < TraitScores.Count; t++)
        {
            double d = (double)a[t] - b[t];
            sum += d * d;
        }
        return Math.Sqrt(sum);
    }
}
