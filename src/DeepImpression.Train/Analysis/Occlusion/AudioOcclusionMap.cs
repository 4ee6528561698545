using System.Text.Json;
using DeepImpression.Core.Serialization;
using DeepImpression.Train.Data;
using DeepImpression.Train.Data.Labels;

namespace DeepImpression.Train.Analysis.Occlusion;

/// <summary>
/// A temporal audio occlusion map of one clip: the scores with each window of the waveform masked, and the figure
/// (each trait's change over time under the waveform), arrays and summary made from them.
/// </summary>
public sealed class AudioOcclusionMap : OcclusionMap
{
    internal AudioOcclusionMap(string source, OcclusionGrid grid, float[] waveform, float[] baseline, float[] masked,
        AudioOcclusionOptions options, OcclusionCost cost)
        : base(source, grid, baseline, masked, cost)
    {
        Waveform = waveform;
        Options = options;
    }

    /// <summary>The analysed waveform (16 kHz mono, [-1, 1]), drawn under the change curves.</summary>
    public float[] Waveform { get; }
    /// <summary>The options the map was made with (window, hop, fill, method).</summary>
    public AudioOcclusionOptions Options { get; }
    /// <summary>Samples per second of <see cref="Waveform"/>, the rate the network hears.</summary>
    public static int SampleRate => ClipFormat.SampleRate;

    /// <summary>The masked span of window <paramref name="index"/>, in seconds.</summary>
    public (double Start, double End) WindowSeconds(int index)
    {
        var span = Grid.Columns.Mask(index);
        return (span.Start / (double)SampleRate, span.End / (double)SampleRate);
    }

    /// <summary>The figure: the waveform above, each trait's change (masked − unmasked) at every window's centre below.</summary>
    public byte[] RenderPlot() => AudioOcclusionPlot.Render(this);

    /// <summary>The raw maps and each window's span (samples) as an npz file.</summary>
    public void SaveNpz(string path)
    {
        var starts = Enumerable.Range(0, Grid.Count).Select(i => Grid.Columns.Mask(i).Start).ToArray();
        var ends = Enumerable.Range(0, Grid.Count).Select(i => Grid.Columns.Mask(i).End).ToArray();
        NpzFile.Write(path, MapArrays().Concat(
        [
            ("window_start", new NpyArray(starts, new Core.Tensors.Shape(starts.Length))),
            ("window_end", new NpyArray(ends, new Core.Tensors.Shape(ends.Length))),
            ("sample_rate", NpyArray.Scalar((long)SampleRate)),
        ]), compress: true);
    }

    /// <summary>A JSON summary: settings, baseline, per trait the largest increase and decrease with their windows
    /// (seconds), and the cost.</summary>
    public string SummaryJson(IEnumerable<string>? files = null)
    {
        var doc = new Dictionary<string, object>
        {
            ["analysis"] = "audio occlusion",
            ["source"] = Source,
            ["seconds"] = Math.Round(Waveform.Length / (double)SampleRate, 3),
            ["window_samples"] = Options.Window,
            ["hop_samples"] = Options.Hop,
            ["fill"] = Options.Fill.ToString(),
            ["windows"] = Grid.Count,
            ["sign"] = "change = masked - unmasked prediction; positive where masking raises the trait",
            ["traits"] = TraitSummary(i => new[] { Math.Round(WindowSeconds(i).Start, 3), Math.Round(WindowSeconds(i).End, 3) }),
            ["cost"] = CostSummary(),
        };
        if (files is not null) doc["files"] = files.ToArray();
        return JsonSerializer.Serialize(doc, new JsonSerializerOptions { WriteIndented = true });
    }

    /// <summary>Writes <c>audio-traits.png</c>, <c>audio-maps.npz</c> and <c>audio-summary.json</c> into
    /// <paramref name="folder"/> (created if needed); returns the files written.</summary>
    public IReadOnlyList<string> WriteTo(string folder)
    {
        Directory.CreateDirectory(folder);
        string png = Path.Combine(folder, "audio-traits.png"), npz = Path.Combine(folder, "audio-maps.npz"), json = Path.Combine(folder, "audio-summary.json");
        var image = RenderPlot();
        AtomicFile.Write(png, s => s.Write(image));
        SaveNpz(npz);
        string[] files = [png, npz, json];
        AtomicFile.WriteText(json, w => w.Write(SummaryJson(files.Select(Path.GetFileName)!)));
        return files;
    }

    /// <summary>Trait names in output order, for the plot's legend.</summary>
    internal static IReadOnlyList<string> TraitNames => TraitScores.Names;
}
