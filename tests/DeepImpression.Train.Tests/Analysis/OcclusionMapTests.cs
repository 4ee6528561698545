using System.Text.Json;
using DeepImpression.Core.Serialization;
using DeepImpression.Train.Analysis.Occlusion;
using DeepImpression.Train.Data.Labels;
using DeepImpression.Train.Tests.Data;
using SkiaSharp;

namespace DeepImpression.Train.Tests.Analysis;

/// <summary>Pixel and audio maps end to end on clips in memory: both methods give the same maps, and the files a user
/// gets (figures at the frame's size, npz, JSON) are complete.</summary>
public sealed class OcclusionMapTests
{
    private const double MapTolerance = 1e-4;

    [TestCase(48, 80, 10, 4)]
    [TestCase(41, 67, 13, 6)]
    public void PixelMapsOfIncrementalAndNaiveInferenceAgree(int height, int width, int size, int stride)
    {
        var net = RandomNetwork.Create(seed: 8);
        var clip = Clip(height, width, frames: 2, samples: 5000);
        var options = new PixelOcclusionOptions { MaskSize = (size, size), Stride = (stride, stride), Frames = 2 };
        var incremental = PixelOcclusion.Analyze(net, clip, options);
        var naive = PixelOcclusion.Analyze(net, clip, options with { Method = OcclusionMethod.Naive, BatchSize = 5 });

        Assert.That(incremental.Grid.Count, Is.EqualTo(((height + stride - 1) / stride) * ((width + stride - 1) / stride)));
        Assert.That(incremental.Baseline.ToArray(), Is.EqualTo(naive.Baseline.ToArray()).Within(MapTolerance));
        double largest = 0;
        for (int k = 0; k < TraitScores.Count; k++)
        {
            Assert.That(incremental.Change(k), Is.EqualTo(naive.Change(k)).Within(MapTolerance), TraitScores.Names[k]);
            largest = Math.Max(largest, naive.Change(k).Max(Math.Abs));
        }
        Assert.That(incremental.Distance(), Is.EqualTo(naive.Distance()).Within(MapTolerance));
        Assert.That(largest, Is.GreaterThan(20 * MapTolerance), "the masks change the predictions by more than the tolerance");
        Assert.That(incremental.Cost.IncrementalMultiplyAdds, Is.LessThan(incremental.Cost.NaiveMultiplyAdds));
    }

    [Test]
    public void AudioMapsOfIncrementalAndNaiveInferenceAgree()
    {
        var net = RandomNetwork.Create(seed: 9);
        var clip = Clip(36, 64, frames: 3, samples: 9000);
        var options = new AudioOcclusionOptions { Window = 1000, Hop = 700 };
        var incremental = AudioOcclusion.Analyze(net, clip, options);
        var naive = AudioOcclusion.Analyze(net, clip, options with { Method = OcclusionMethod.Naive });
        Assert.That(incremental.Grid.Count, Is.EqualTo(13), "windows start every 700 samples until one reaches the end");
        Assert.That(incremental.WindowSeconds(12), Is.EqualTo((8400 / 16000.0, 9000 / 16000.0)));
        for (int k = 0; k < TraitScores.Count; k++)
            Assert.That(incremental.Change(k), Is.EqualTo(naive.Change(k)).Within(MapTolerance), TraitScores.Names[k]);
        Assert.That(naive.Distance().Max(), Is.GreaterThan(20 * MapTolerance));
    }

    [Test]
    public void PixelFilesAreFiguresAtTheFrameSizeAnNpzAndASummary()
    {
        const int height = 40, width = 72;
        var map = PixelOcclusion.Analyze(RandomNetwork.Create(seed: 10), Clip(height, width, frames: 1, samples: 5000),
            new PixelOcclusionOptions { MaskSize = (8, 8), Stride = (4, 4) });
        using var folder = new ScratchFolder("pixel-occlusion");
        var files = map.WriteTo(folder.Path);
        var figures = map.RenderFigures();
        Assert.That(files.Select(Path.GetFileName), Is.EquivalentTo(new[]
        {
            "pixel-extraversion.png", "pixel-agreeableness.png", "pixel-conscientiousness.png", "pixel-neuroticism.png",
            "pixel-openness.png", "pixel-distance.png", "pixel-maps.npz", "pixel-summary.json",
        }));
        foreach (var (name, figure) in figures)
        {
            using var png = SKBitmap.Decode(folder[$"pixel-{name}.png"]);
            Assert.That(png, Is.Not.Null, $"{name}: a PNG");
            Assert.That((png.Width, png.Height), Is.EqualTo((figure.Width, figure.Height)), name);
            Assert.That((figure.Panel.Width, figure.Panel.Height), Is.EqualTo((width, height)), $"{name}: the panel is the frame's size");
            Assert.That(DistinctColours(png, figure.Panel), Is.GreaterThan(50), $"{name}: the panel is not blank");
        }

        var arrays = NpzFile.Read(folder["pixel-maps.npz"]);
        Assert.That(arrays["change"].Shape.ToArray(), Is.EqualTo(new[] { 5, 10, 18 }));
        Assert.That(arrays["distance_normalized"].AsFloat32().Max(), Is.EqualTo(1f));
        Assert.That(arrays["change"].AsFloat32()[..180], Is.EqualTo(map.Change(0)));
        Assert.That(arrays["frame"].Shape.ToArray(), Is.EqualTo(new[] { height, width, 3 }));

        using var summary = JsonDocument.Parse(File.ReadAllText(folder["pixel-summary.json"]));
        var root = summary.RootElement;
        Assert.That(root.GetProperty("masks").GetInt32(), Is.EqualTo(180));
        Assert.That(root.GetProperty("traits").GetProperty("extraversion").GetProperty("baseline").GetDouble(), Is.EqualTo(map.Baseline.Extraversion).Within(1e-6));
        Assert.That(root.GetProperty("cost").GetProperty("naive_flops").GetInt64(), Is.EqualTo(2 * map.Cost.NaiveMultiplyAdds));
        Assert.That(root.GetProperty("files").GetArrayLength(), Is.EqualTo(8));
    }

    [Test]
    public void AudioFilesAreAPlotAnNpzAndASummary()
    {
        var map = AudioOcclusion.Analyze(RandomNetwork.Create(seed: 11), Clip(36, 64, frames: 1, samples: 8000),
            new AudioOcclusionOptions { Window = 1600, Hop = 800 });
        using var folder = new ScratchFolder("audio-occlusion");
        map.WriteTo(folder.Path);
        using var png = SKBitmap.Decode(folder["audio-traits.png"]);
        Assert.That(png, Is.Not.Null);
        Assert.That(DistinctColours(png, new DeepImpression.Train.Analysis.Rendering.PixelRect(0, 0, png.Width, png.Height)), Is.GreaterThan(5));
        var arrays = NpzFile.Read(folder["audio-maps.npz"]);
        Assert.That(arrays["window_start"].AsInt32(), Is.EqualTo(new[] { 0, 800, 1600, 2400, 3200, 4000, 4800, 5600, 6400 }));
        using var summary = JsonDocument.Parse(File.ReadAllText(folder["audio-summary.json"]));
        Assert.That(summary.RootElement.GetProperty("windows").GetInt32(), Is.EqualTo(9));
    }

    /// <summary>A clip in memory: random frames (bytes) and a waveform.</summary>
    internal static OcclusionClip Clip(int height, int width, int frames, int samples)
    {
        var random = new Random(height * 1000 + width);
        var bytes = new byte[frames * 3 * height * width];
        random.NextBytes(bytes);
        var waveform = Enumerable.Range(0, samples).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        return new OcclusionClip($"random {width}x{height}", waveform, bytes, frames, height, width);
    }

    private static int DistinctColours(SKBitmap png, DeepImpression.Train.Analysis.Rendering.PixelRect area)
    {
        var colours = new HashSet<SKColor>();
        for (int y = area.Y; y < area.Y + area.Height; y++)
            for (int x = area.X; x < area.X + area.Width; x++) colours.Add(png.GetPixel(x, y));
        return colours.Count;
    }
}
