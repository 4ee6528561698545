namespace DeepImpression.Train.Analysis.Rendering;

/// <summary>
/// A colour map: a position t in [0, 1] to a colour, interpolated linearly between evenly spaced anchor colours.
/// <see cref="Diverging"/> shows signed values (blue below the middle, white at it, red above);
/// <see cref="Sequential"/> shows magnitudes (dark purple to yellow, perceptually ordered).
/// </summary>
public sealed class ColorMap
{
    private readonly Rgb[] _anchors;

    /// <summary>A map through <paramref name="anchors"/> (at least two), evenly spaced from t = 0 to t = 1.</summary>
    public ColorMap(string name, IReadOnlyList<Rgb> anchors)
    {
        if (anchors.Count < 2) throw new ArgumentException("a colour map needs at least two anchor colours.", nameof(anchors));
        Name = name;
        _anchors = [.. anchors];
    }

    /// <summary>The colour map's name, as the options accept it.</summary>
    public string Name { get; }

    /// <summary>
    /// Blue (decrease) through white (no change) to red (increase): ColorBrewer's 11-class RdBu, reversed so that red
    /// means more. For signed maps with symmetric limits, so that white is exactly zero.
    /// </summary>
    public static ColorMap Diverging { get; } = FromHex("blue-white-red",
        "#053061", "#2166ac", "#4393c3", "#92c5de", "#d1e5f0", "#f7f7f7", "#fddbc7", "#f4a582", "#d6604d", "#b2182b", "#67001f");

    /// <summary>Dark purple through teal and green to yellow (matplotlib's viridis at eleven points): for magnitudes
    /// (distances, absolute values), readable in grey and by most colour-blind readers.</summary>
    public static ColorMap Sequential { get; } = FromHex("viridis",
        "#440154", "#482475", "#414487", "#355f8d", "#2a788e", "#21918c", "#22a884", "#44bf70", "#7ad151", "#bddf26", "#fde725");

    /// <summary>The maps by name, for command-line options.</summary>
    public static IReadOnlyDictionary<string, ColorMap> Named { get; } = new Dictionary<string, ColorMap>(StringComparer.OrdinalIgnoreCase)
    {
        [Diverging.Name] = Diverging,
        [Sequential.Name] = Sequential,
    };

    /// <summary>The colour at <paramref name="t"/>, clamped to [0, 1]; NaN maps to the middle.</summary>
    public Rgb this[double t]
    {
        get
        {
            if (double.IsNaN(t)) t = 0.5;
            double position = Math.Clamp(t, 0, 1) * (_anchors.Length - 1);
            int i = Math.Min((int)position, _anchors.Length - 2);
            return Rgb.Lerp(_anchors[i], _anchors[i + 1], position - i);
        }
    }

    /// <summary>A map through colours written <c>#rrggbb</c>.</summary>
    public static ColorMap FromHex(string name, params string[] anchors) => new(name, anchors.Select(Rgb.FromHex).ToArray());

    /// <summary>The name.</summary>
    public override string ToString() => Name;
}
