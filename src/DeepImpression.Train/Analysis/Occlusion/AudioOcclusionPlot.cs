using System.Globalization;
using SkiaSharp;

namespace DeepImpression.Train.Analysis.Occlusion;

/// <summary>
/// Draws an audio occlusion map: the waveform's envelope on top, each trait's change when the window around each
/// time is masked below, on one time axis (ScottPlot for the two charts, stacked into one PNG).
/// </summary>
internal static class AudioOcclusionPlot
{
    private const int Width = 1000, WaveHeight = 220, TraitHeight = 420;
    private const float LeftPadding = 80, RightPadding = 20;
    private const int EnvelopePoints = 1500;
    private const string FontName = "DejaVu Sans";

    public static byte[] Render(AudioOcclusionMap map)
    {
        double seconds = map.Waveform.Length / (double)AudioOcclusionMap.SampleRate;
        var wave = new ScottPlot.Plot();
        wave.Font.Set(FontName);
        var (times, low, high) = Envelope(map.Waveform, EnvelopePoints);
        var band = wave.Add.FillY(times, low, high);
        band.FillColor = ScottPlot.Color.FromHex("#4a6fa5");
        band.LineWidth = 0;
        wave.Title(string.Create(CultureInfo.InvariantCulture,
            $"Change of each trait when {map.Options.Window / (double)AudioOcclusionMap.SampleRate:0.###} s of the sound is {(map.Options.Fill.ToString() == "0" ? "silenced" : $"filled with {map.Options.Fill}")}, every {map.Options.Hop / (double)AudioOcclusionMap.SampleRate:0.###} s"));
        wave.YLabel("waveform");
        wave.Axes.SetLimits(0, seconds, -1.05, 1.05);
        wave.Layout.Fixed(new ScottPlot.PixelPadding(LeftPadding, RightPadding, 30, 40));

        var traits = new ScottPlot.Plot();
        traits.Font.Set(FontName);
        var centres = Enumerable.Range(0, map.Grid.Count).Select(i => (map.WindowSeconds(i).Start + map.WindowSeconds(i).End) / 2).ToArray();
        traits.Add.HorizontalLine(0, 1, ScottPlot.Colors.Gray);
        double extent = 1e-6;
        for (int k = 0; k < AudioOcclusionMap.TraitNames.Count; k++)
        {
            var change = map.Change(k).Select(v => (double)v).ToArray();
            extent = Math.Max(extent, change.Max(Math.Abs));
            var line = traits.Add.Scatter(centres, change);
            line.LegendText = $"{AudioOcclusionMap.TraitNames[k]} ({map.Baseline[k]:0.000})";
            line.MarkerSize = map.Grid.Count <= 80 ? 4 : 0;
            line.LineWidth = 2;
        }
        traits.Axes.SetLimits(0, seconds, -1.1 * extent, 1.1 * extent);
        traits.XLabel("time (s): centre of the masked window");
        traits.YLabel("change (masked - unmasked)");
        traits.ShowLegend(ScottPlot.Alignment.UpperRight);
        traits.Layout.Fixed(new ScottPlot.PixelPadding(LeftPadding, RightPadding, 50, 10));

        using var surface = SKSurface.Create(new SKImageInfo(Width, WaveHeight + TraitHeight, SKColorType.Rgba8888, SKAlphaType.Premul));
        surface.Canvas.Clear(SKColors.White);
        using (var top = SKBitmap.Decode(wave.GetImageBytes(Width, WaveHeight, ScottPlot.ImageFormat.Png)))
            surface.Canvas.DrawBitmap(top, 0, 0);
        using (var bottom = SKBitmap.Decode(traits.GetImageBytes(Width, TraitHeight, ScottPlot.ImageFormat.Png)))
            surface.Canvas.DrawBitmap(bottom, 0, WaveHeight);
        using var image = surface.Snapshot();
        using var png = image.Encode(SKEncodedImageFormat.Png, 100);
        return png.ToArray();
    }

    // Minimum and maximum of the samples in each of `points` stretches, at the stretches' middle times (seconds).
    private static (double[] Times, double[] Low, double[] High) Envelope(float[] samples, int points)
    {
        points = Math.Max(1, Math.Min(points, samples.Length));
        var times = new double[points];
        var low = new double[points];
        var high = new double[points];
        for (int p = 0; p < points; p++)
        {
            int start = (int)((long)p * samples.Length / points), end = (int)((long)(p + 1) * samples.Length / points);
            float min = float.MaxValue, max = float.MinValue;
            for (int i = start; i < end; i++) (min, max) = (Math.Min(min, samples[i]), Math.Max(max, samples[i]));
            times[p] = (start + end) / 2.0 / AudioOcclusionMap.SampleRate;
            (low[p], high[p]) = (min, max);
        }
        return (times, low, high);
    }
}
