namespace DeepImpression.Train.Data.Labels;

/// <summary>The five apparent Big Five trait values of one clip, each in [0, 1], in the network's output order.</summary>
public readonly record struct TraitScores(float Extraversion, float Agreeableness, float Conscientiousness, float Neuroticism, float Openness)
{
    /// <summary>The number of traits.</summary>
    public const int Count = 5;

    /// <summary>Trait names in output order.</summary>
    public static IReadOnlyList<string> Names { get; } = ["Extraversion", "Agreeableness", "Conscientiousness", "Neuroticism", "Openness"];

    /// <summary>Trait <paramref name="trait"/> in the order Extraversion, Agreeableness, Conscientiousness, Neuroticism, Openness.</summary>
    public float this[int trait] => trait switch
    {
        0 => Extraversion, 1 => Agreeableness, 2 => Conscientiousness, 3 => Neuroticism, 4 => Openness,
        _ => throw new ArgumentOutOfRangeException(nameof(trait)),
    };

    /// <summary>Scores from five values in trait order.</summary>
    public static TraitScores FromSpan(ReadOnlySpan<float> v) =>
        v.Length == Count ? new(v[0], v[1], v[2], v[3], v[4]) : throw new ArgumentException($"TraitScores needs {Count} values, got {v.Length}.");

    /// <summary>The five values in trait order.</summary>
    public float[] ToArray() => [Extraversion, Agreeableness, Conscientiousness, Neuroticism, Openness];

    /// <summary>Writes the five values in trait order to <paramref name="destination"/>.</summary>
    public void CopyTo(Span<float> destination) => ToArray().CopyTo(destination);
}
