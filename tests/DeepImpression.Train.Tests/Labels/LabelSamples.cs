using DeepImpression.Train.Data.Labels;

namespace DeepImpression.Train.Tests.Labels;

/// <summary>Label sets made up for tests.</summary>
internal static class LabelSamples
{
    /// <summary><paramref name="count"/> clips with random values in [0, 1] (0 and 1 included), names like the real
    /// ones, some starting with '-' as YouTube IDs can.</summary>
    public static LabelSet Random(int count, int seed, bool withInterview)
    {
        var random = new Random(seed);
        var clips = new Dictionary<string, TraitScores>();
        var interview = withInterview ? new Dictionary<string, float>() : null;
        const string alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_";
        while (clips.Count < count)
        {
            var id = new string(Enumerable.Range(0, 11).Select(_ => alphabet[random.Next(alphabet.Length)]).ToArray());
            var clip = $"{id}.{random.Next(6):000}.mp4";
            if (clips.ContainsKey(clip)) continue;
            clips.Add(clip, new TraitScores(Value(random), Value(random), Value(random), Value(random), Value(random)));
            interview?.Add(clip, Value(random));
        }
        return new LabelSet(clips, interview);
    }

    private static float Value(Random random) => random.Next(20) switch
    {
        0 => 0f,
        1 => 1f,
        _ => (float)random.NextDouble(),
    };

    /// <summary>Asserts two label sets hold the same clips in the same order with exactly the same values.</summary>
    public static void AssertSame(LabelSet actual, LabelSet expected, bool compareInterview = true)
    {
        Assert.That(actual.Clips.Keys, Is.EqualTo(expected.Clips.Keys));
        foreach (var (clip, scores) in expected.Clips) Assert.That(actual.Clips[clip], Is.EqualTo(scores), clip);
        if (!compareInterview) return;
        if (expected.Interview is null)
        {
            Assert.That(actual.Interview, Is.Null);
            return;
        }
        Assert.That(actual.Interview, Is.Not.Null);
        foreach (var (clip, value) in expected.Interview) Assert.That(actual.Interview![clip], Is.EqualTo(value), clip);
    }
}
