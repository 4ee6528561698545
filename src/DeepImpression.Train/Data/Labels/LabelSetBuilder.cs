using System.Globalization;
using DeepImpression.Core;

namespace DeepImpression.Train.Data.Labels;

/// <summary>
/// Collects label values clip by clip from any of the file formats and checks them the same way for all: a value is
/// finite and in [0, 1], a clip gets each column once, and in the end every clip has every trait (and an interview
/// value when the file has that column). Clips keep the order in which they first appear.
/// </summary>
internal sealed class LabelSetBuilder(string source, bool hasInterview)
{
    private readonly Dictionary<string, double?[]> _clips = new(StringComparer.Ordinal);
    private readonly List<string> _order = [];

    /// <summary>Clips seen so far.</summary>
    public int Count => _order.Count;

    /// <summary>Records column <paramref name="column"/> (see <see cref="LabelColumns"/>) of <paramref name="clip"/>.</summary>
    public void Set(string clip, int column, double value)
    {
        var name = LabelColumns.Keys[column];
        if (string.IsNullOrWhiteSpace(clip)) throw new InvalidInputException($"{source}: a clip with an empty name has a {name} value.");
        if (!double.IsFinite(value)) throw new InvalidInputException($"{source}: clip {clip}: {name} is {Show(value)}, not a number in [0, 1].");
        if (value is < 0 or > 1) throw new InvalidInputException($"{source}: clip {clip}: {name} is {Show(value)}, outside [0, 1].");
        if (!_clips.TryGetValue(clip, out var values))
        {
            values = new double?[LabelColumns.Count];
            _clips.Add(clip, values);
            _order.Add(clip);
        }
        if (values[column] is not null) throw new InvalidInputException($"{source}: clip {clip} appears twice (a second {name} value).");
        values[column] = value;
    }

    public LabelSet Build()
    {
        var clips = new Dictionary<string, TraitScores>(_order.Count, StringComparer.Ordinal);
        var interview = hasInterview ? new Dictionary<string, float>(_order.Count, StringComparer.Ordinal) : null;
        Span<float> traits = stackalloc float[TraitScores.Count];
        foreach (var clip in _order)
        {
            var values = _clips[clip];
            for (var t = 0; t < LabelColumns.Count; t++)
            {
                if (t == LabelColumns.Interview && !hasInterview) continue;
                if (values[t] is null) throw new InvalidInputException($"{source}: clip {clip} has no {LabelColumns.Keys[t]} value.");
            }
            for (var t = 0; t < TraitScores.Count; t++) traits[t] = (float)values[t]!.Value;
            clips.Add(clip, TraitScores.FromSpan(traits));
            interview?.Add(clip, (float)values[LabelColumns.Interview]!.Value);
        }
        return new LabelSet(clips, interview, source);
    }

    private static string Show(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
