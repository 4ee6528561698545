using System.Globalization;
using DeepImpression.Core.Serialization;
using DeepImpression.Train.Analysis.Extremes;
using DeepImpression.Train.Analysis.Rendering;
using DeepImpression.Train.Data.Labels;

namespace DeepImpression.Train.Analysis.Segments;

/// <summary>
/// The segment figure (the poster's Figure 5): one panel per trait, the average frame in grey under each pixel's
/// effect size (<see cref="SegmentOcclusionResult.EffectMap"/>, Cohen's d: red where masking raised the prediction,
/// blue where it lowered it), all panels on one symmetric scale so that colours compare across traits, each with its
/// colour bar.
/// </summary>
public static class SegmentFigure
{
    /// <summary>Renders the figure; <paramref name="panelScale"/> enlarges small frames.</summary>
    public static byte[] Render(SegmentOcclusionResult result, int panelScale = 1)
    {
        var size = result.FrameSize;
        var picture = RgbImage.FromPlanar(result.AverageFrame, size.Width, size.Height);
        var maps = Enumerable.Range(0, TraitScores.Count).Select(result.EffectMap).ToArray();
        double limit = result.Effects.Where(e => !double.IsNaN(e.Effect.D)).Select(e => Math.Abs(e.Effect.D)).DefaultIfEmpty(0).Max();
        var panels = new MontageCell[TraitScores.Count];
        for (int k = 0; k < panels.Length; k++)
        {
            var strongest = result.LargestEffect(k);
            string title = strongest is null ? TraitScores.Names[k]
                : string.Create(CultureInfo.InvariantCulture, $"{TraitScores.Names[k]}: {strongest.Region} d = {strongest.Effect.D:+0.00;-0.00}");
            var figure = HeatMapFigure.Render(maps[k], size.Width, size.Height, picture, new HeatMapOptions
            {
                Limit = limit,
                Title = title,
                ColorBarLabel = "Cohen's d",
                PanelScale = panelScale,
            });
            panels[k] = new MontageCell(Montage.Decode(figure.Png), []);
        }
        string heading = string.Create(CultureInfo.InvariantCulture,
            $"Segment-level occlusion: effect size of masking each region ({result.Videos.Count} videos, fill {result.Fill})");
        // Three panels a row keeps the figure about as wide as it is tall.
        return Montage.Render([.. panels.Chunk(3)], title: heading);
    }

    /// <summary>Renders the figure to <paramref name="path"/>, atomically.</summary>
    public static void Save(SegmentOcclusionResult result, string path, int panelScale = 1)
    {
        var png = Render(result, panelScale);
        AtomicFile.Write(path, s => s.Write(png));
    }
}
