using System.Globalization;
using System.Text.Json;
using DeepImpression.Core.Serialization;
using DeepImpression.Core.Tensors;
using DeepImpression.Train.Analysis.Rendering;
using DeepImpression.Train.Data.Labels;

namespace DeepImpression.Train.Analysis.Occlusion;

/// <summary>
/// A pixel-level occlusion map of one clip: the scores per mask position, and the figures, arrays and summary made
/// from them. Figures show each trait's signed change (diverging colours, symmetric limits) and the normalised
/// distance (sequential colours) over the representative frame, at the frame's own size.
/// </summary>
public sealed class PixelOcclusionMap : OcclusionMap
{
    internal PixelOcclusionMap(string source, OcclusionGrid grid, int frameCount, RgbImage picture, float[] baseline, float[] masked,
        PixelOcclusionOptions options, OcclusionCost cost, IncrementalPlan plan)
        : base(source, grid, baseline, masked, cost)
    {
        FrameCount = frameCount;
        Picture = picture;
        Options = options;
        Plan = plan;
    }

    /// <summary>Height in pixels of the frames analysed.</summary>
    public int Height => Grid.Rows.Length;
    /// <summary>Width in pixels of the frames analysed.</summary>
    public int Width => Grid.Columns.Length;

    /// <summary>How many frames were masked and averaged.</summary>
    public int FrameCount { get; }

    /// <summary>The frame the figures are drawn over.</summary>
    public RgbImage Picture { get; }
    /// <summary>The options the map was made with (mask size, stride, frames, fill, method).</summary>
    public PixelOcclusionOptions Options { get; }

    /// <summary>The incremental plan of the grid (its cost table also describes the naive path).</summary>
    internal IncrementalPlan Plan { get; }

    /// <summary>One value per pixel (H x W, row-major) from one value per mask.</summary>
    public float[] PerPixel(float[] values, PixelProjection projection = PixelProjection.Bilinear) =>
        GridProjection.ToCells(Grid, values, projection);

    /// <summary>The figure of one trait's change (0 = Extraversion .. 4 = Openness).</summary>
    public RenderedFigure RenderTrait(int trait, OcclusionFigureOptions? options = null)
    {
        options ??= new OcclusionFigureOptions();
        string name = TraitScores.Names[trait];
        var style = options.Style with
        {
            Title = options.Style.Title ?? string.Create(CultureInfo.InvariantCulture,
                $"{name} ({Baseline[trait]:0.000}): change when each {MaskText} patch is masked"),
            ColorBarLabel = options.Style.ColorBarLabel ?? $"change of {name}",
        };
        return HeatMapFigure.Render(PerPixel(Change(trait), options.Projection), Width, Height, Picture, style);
    }

    /// <summary>The figure of the distance between the five-trait predictions, normalised to [0, 1].</summary>
    public RenderedFigure RenderDistance(OcclusionFigureOptions? options = null)
    {
        options ??= new OcclusionFigureOptions();
        var style = options.Style with
        {
            Sign = SignMode.Absolute,
            Limit = 1,
            ColorMap = options.Style.ColorMap ?? ColorMap.Sequential,
            Method = options.Style.Method is HeatMapMethod.OriginalImage ? HeatMapMethod.BlendedHeatMap : options.Style.Method,
            Title = $"All five traits: distance when each {MaskText} patch is masked",
            ColorBarLabel = "distance / largest",
        };
        return HeatMapFigure.Render(PerPixel(NormalizedDistance(), options.Projection), Width, Height, Picture, style);
    }

    /// <summary>Every figure by name: the five traits (lower-case names) and <c>distance</c>.</summary>
    public IReadOnlyList<(string Name, RenderedFigure Figure)> RenderFigures(OcclusionFigureOptions? options = null) =>
    [
        .. Enumerable.Range(0, TraitScores.Count).Select(k => (TraitScores.Names[k].ToLowerInvariant(), RenderTrait(k, options))),
        ("distance", RenderDistance(options)),
    ];

    /// <summary>The raw maps (per mask position) and the representative frame as an npz file.</summary>
    public void SaveNpz(string path) => NpzFile.Write(path, MapArrays().Append(
        ("frame", new NpyArray(Picture.Pixels, new Shape(Picture.Height, Picture.Width, 3)))), compress: true);

    /// <summary>A JSON summary: settings, baseline, per trait the largest increase and decrease with their pixel
    /// positions, the distance, and the cost of both paths.</summary>
    public string SummaryJson(IEnumerable<string>? files = null)
    {
        var doc = new Dictionary<string, object>
        {
            ["analysis"] = "pixel occlusion",
            ["source"] = Source,
            ["frame_size"] = new[] { Width, Height },
            ["frames"] = FrameCount,
            ["mask_size"] = new[] { Options.MaskSize.W, Options.MaskSize.H },
            ["stride"] = new[] { Options.Stride.W, Options.Stride.H },
            ["fill"] = Options.Fill.ToString(),
            ["masks"] = Grid.Count,
            ["grid"] = new[] { Grid.Columns.Count, Grid.Rows.Count },
            ["sign"] = "change = masked - unmasked prediction; positive where masking raises the trait",
            ["traits"] = TraitSummary(m => new[] { Grid.Columns.Centre(m % Grid.Columns.Count), Grid.Rows.Centre(m / Grid.Columns.Count) }),
            ["cost"] = CostSummary(),
        };
        if (files is not null) doc["files"] = files.ToArray();
        return JsonSerializer.Serialize(doc, new JsonSerializerOptions { WriteIndented = true });
    }

    /// <summary>Writes the figures (<c>pixel-TRAIT.png</c>, <c>pixel-distance.png</c>), <c>pixel-maps.npz</c> and
    /// <c>pixel-summary.json</c> into <paramref name="folder"/> (created if needed); returns the files written.</summary>
    public IReadOnlyList<string> WriteTo(string folder, OcclusionFigureOptions? options = null)
    {
        Directory.CreateDirectory(folder);
        var files = new List<string>();
        foreach (var (name, figure) in RenderFigures(options))
        {
            string path = Path.Combine(folder, $"pixel-{name}.png");
            figure.Save(path);
            files.Add(path);
        }
        string npz = Path.Combine(folder, "pixel-maps.npz");
        SaveNpz(npz);
        files.Add(npz);
        string json = Path.Combine(folder, "pixel-summary.json");
        files.Add(json);
        AtomicFile.WriteText(json, w => w.Write(SummaryJson(files.Select(Path.GetFileName)!)));
        return files;
    }

    private string MaskText => $"{Options.MaskSize.W}x{Options.MaskSize.H}";
}
