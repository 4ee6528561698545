using System.Globalization;
using DeepImpression.Core;

namespace DeepImpression.Train.Analysis.Segments;

/// <summary>
/// What a masked region is filled with: each frame's own mean colour (the default: it removes the region's content
/// and keeps the frame's overall colour and brightness), or one constant colour.
/// </summary>
public sealed record MaskFill(float? Red, float? Green, float? Blue)
{
    /// <summary>Each frame's mean colour over all its pixels (per channel).</summary>
    public static MaskFill FrameMean { get; } = new(null, null, null);

    public static MaskFill Constant(float red, float green, float blue) => new(red, green, blue);

    public bool IsFrameMean => Red is null;

    /// <summary>Parses <c>mean</c> or <c>R,G,B</c> (0..255 each).</summary>
    public static MaskFill Parse(string text)
    {
        if (text.Trim().Equals("mean", StringComparison.OrdinalIgnoreCase)) return FrameMean;
        var parts = text.Split(',');
        var values = new float[3];
        if (parts.Length == 3 && parts.Select((p, i) => float.TryParse(p, NumberStyles.Float, CultureInfo.InvariantCulture, out values[i]) && values[i] is >= 0 and <= 255).All(ok => ok))
            return Constant(values[0], values[1], values[2]);
        throw new InvalidInputException($"--fill '{text}': expected mean or R,G,B with values from 0 to 255, e.g. 128,128,128.");
    }

    public override string ToString() => IsFrameMean ? "mean" : string.Create(CultureInfo.InvariantCulture, $"{Red},{Green},{Blue}");
}
