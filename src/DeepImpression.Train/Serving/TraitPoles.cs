namespace DeepImpression.Train.Serving;

/// <summary>One trait as the demo shows it: its name and the poster's words for its high and low pole.</summary>
/// <param name="Key">The JSON and CSV name (<c>extraversion</c>, ...).</param>
/// <param name="Name">The name shown to people.</param>
/// <param name="High">What a high score looks like to annotators.</param>
/// <param name="Low">What a low score looks like to annotators.</param>
internal sealed record TraitPole(string Key, string Name, string High, string Low);

/// <summary>
/// The five traits in the network's output order (Extraversion, Agreeableness, Conscientiousness, Neuroticism,
/// Openness) with the poles as the poster words them (docs/DESIGN.md section 5).
/// </summary>
internal static class TraitPoles
{
    /// <summary>Every trait, in output order.</summary>
    public static IReadOnlyList<TraitPole> All { get; } =
    [
        new("extraversion", "Extraversion", "outgoing / energetic", "solitary / reserved"),
        new("agreeableness", "Agreeableness", "friendly / compassionate", "analytical / detached"),
        new("conscientiousness", "Conscientiousness", "efficient / organized", "easy-going / careless"),
        new("neuroticism", "Neuroticism", "sensitive / nervous", "secure / confident"),
        new("openness", "Openness", "inventive / curious", "consistent / cautious"),
    ];

    /// <summary>
    /// What the demo says with every result: the scores are apparent traits, perceived by annotators of short clips
    /// and predicted by a model, not a personality assessment.
    /// </summary>
    public const string Notice =
        "These are apparent traits: how people who watched short video clips perceived the speaker, as predicted by " +
        "a model trained on their ratings. They are not a personality assessment and must not be used for hiring or " +
        "any other decision about a person.";
}
