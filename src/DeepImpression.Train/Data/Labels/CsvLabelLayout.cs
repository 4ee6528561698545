namespace DeepImpression.Train.Data.Labels;

/// <summary>The header of a label CSV: the clip column, then one column per label column of <see cref="LabelColumns"/>.</summary>
internal sealed record CsvLabelLayout(string Description, string ClipHeader, IReadOnlyList<string> TraitHeaders, string? InterviewHeader)
{
    /// <summary>Our own form: <c>clip,extraversion,agreeableness,conscientiousness,neuroticism,openness[,interview]</c>.</summary>
    public static CsvLabelLayout Own { get; } = new("label CSV", "clip", LabelColumns.Keys.Take(TraitScores.Count).ToArray(), "interview");

    /// <summary>The first release's <c>training_gt.csv</c>, also the layout of prediction files; "Neurotisicm" is
    /// misspelled in the official files.</summary>
    public static CsvLabelLayout Official { get; } = new("first-release CSV", "VideoName",
        ["ValueExtraversion", "ValueAgreeableness", "ValueConscientiousness", "ValueNeurotisicm", "ValueOpenness"], null);

    /// <summary>The column of a header name in this layout (interview = <see cref="LabelColumns.Interview"/>), or -1.</summary>
    public int ColumnOf(string header)
    {
        for (var t = 0; t < TraitHeaders.Count; t++)
            if (string.Equals(TraitHeaders[t], header, StringComparison.OrdinalIgnoreCase)) return t;
        // Some copies of the first-release files spell the trait correctly.
        if (this == Official && string.Equals(header, "ValueNeuroticism", StringComparison.OrdinalIgnoreCase)) return 3;
        if (InterviewHeader is not null && string.Equals(InterviewHeader, header, StringComparison.OrdinalIgnoreCase)) return LabelColumns.Interview;
        return -1;
    }

    /// <summary>The layout whose clip column is <paramref name="firstHeader"/>, or null.</summary>
    public static CsvLabelLayout? Recognize(string firstHeader) =>
        new[] { Own, Official }.FirstOrDefault(layout => string.Equals(layout.ClipHeader, firstHeader, StringComparison.OrdinalIgnoreCase));
}
