using System.CommandLine;
using DeepImpression.Train.Analysis.Regions;
using DeepImpression.Train.Commands;
using DeepImpression.Train.Synthetic;
using DeepImpression.Train.Tests.Analysis;
using DeepImpression.Train.Tests.Data;
using DeepImpression.Train.Tests.Training;

namespace DeepImpression.Train.Tests.Commands;

/// <summary><c>occlusion segments</c>, <c>extremes</c> and <c>face-regions</c> run as a user runs them: outputs on good input, one line on bad.</summary>
[TestFixture]
[NonParallelizable]
public class AnalysisCommandTests
{
    private static readonly Lazy<string> Trained = new(() => TinyTrainingCache.OneEpochCheckpoint);

    /// <summary>The segments command under an <c>occlusion</c> command, as the program wires it, with its errors handled as Program does.</summary>
    private static (int Code, string Out, string Err) Occlusion(params string[] args)
    {
        var root = new RootCommand { new Command("occlusion") { OcclusionSegmentsCommand.Create() } };
        var (oldOut, oldErr) = (Console.Out, Console.Error);
        var (o, e) = (new StringWriter(), new StringWriter());
        Console.SetOut(o);
        Console.SetError(e);
        try
        {
            int code = CommandErrors.Run(() => root.Parse(["occlusion", .. args]).Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false }));
            return (code, o.ToString(), e.ToString());
        }
        finally
        {
            Console.SetOut(oldOut);
            Console.SetError(oldErr);
        }
    }

    private static string[] TwoVideos() =>
        [.. TinySyntheticSet.Report.Clips.Take(2).Select(c => SyntheticDataSet.PathOf(TinySyntheticSet.Root, c))];

    [Test]
    public void Segments_writes_the_table_the_predictions_and_the_figure()
    {
        using var folder = new ScratchFolder("segments-cli");
        string regions = Path.Combine(TinySyntheticSet.Root, SyntheticDataSet.RegionsFolder);
        var (code, output, error) = Occlusion(["segments", "--model", Trained.Value, "--regions", regions, "--size", "64x36", "--frames", "2",
                                               "--mask", "head", "mouth", "--out", folder.Path, .. TwoVideos()]);
        Assert.That(code, Is.Zero, error);
        Assert.That(output, Does.Contain("head").And.Contain("mouth").And.Contain("Conscientiousness").And.Not.Contain("background"));
        Assert.That(File.ReadAllLines(Path.Combine(folder.Path, "segments.csv")), Has.Length.EqualTo(1 + 2 * 5));
        Assert.That(File.ReadAllLines(Path.Combine(folder.Path, "predictions.csv")), Has.Length.EqualTo(1 + 2 * 3));
        PngCheck.ValidAndNotBlank(File.ReadAllBytes(Path.Combine(folder.Path, "segments.png")));
    }

    [Test]
    public void Segments_with_bad_maps_or_options_ends_with_one_line()
    {
        using var folder = new ScratchFolder("segments-cli-bad");
        string maps = folder["maps"];
        Directory.CreateDirectory(maps);
        File.WriteAllText(Path.Combine(maps, RegionLegend.JsonName), """{"0": "background", "1": "head"}""");
        var videos = TwoVideos();
        RegionMapFolder.Write(maps, videos[0], TinySyntheticSet.Size, [.. Enumerable.Range(0, 200)], new byte[200 * 64 * 36]);
        RegionMapFolder.Write(maps, videos[1], TinySyntheticSet.Size, [.. Enumerable.Range(0, 200)], [.. Enumerable.Repeat((byte)9, 200 * 64 * 36)]);

        var (code, _, error) = Occlusion(["segments", "--model", Trained.Value, "--regions", maps, "--size", "64x36", "--frames", "2", "--out", folder["out"], .. videos]);
        Assert.That(code, Is.EqualTo(CommandErrors.BadInput));
        Assert.That(error.Trim(), Does.StartWith("error: " + Path.Combine(maps, RegionMapFolder.StemOf(videos[1]) + ".npz") + ": region id 9"));
        Assert.That(error.Trim().Split('\n'), Has.Length.EqualTo(1));

        (code, _, error) = Occlusion(["segments", "--model", Trained.Value, "--regions", maps, "--size", "128x72", "--out", folder["out"], videos[0]]);
        Assert.That((code, error.Trim()), Is.EqualTo((CommandErrors.BadInput, $"error: {Path.Combine(maps, RegionMapFolder.StemOf(videos[0]) + ".npz")}: region map is 64x36, the frames analysed are 128x72; make maps at 128x72 (or analyse at 64x36 with --size).")));
        (code, _, error) = Occlusion(["segments", "--model", Trained.Value, "--regions", maps, "--mask", "nose", "--size", "64x36", videos[0]]);
        Assert.That((code, error), Is.EqualTo((CommandErrors.BadInput, $"error: {Path.Combine(maps, RegionLegend.JsonName)}: no region named 'nose' (the legend has background, head).\n")));
        (code, _, error) = Occlusion(["segments", "--model", Trained.Value, "--regions", maps, "--fill", "grey", videos[0]]);
        Assert.That(error, Does.StartWith("error: --fill 'grey'"));
    }

    [Test]
    public void Extremes_makes_a_montage_from_a_cache_and_refuses_ambiguous_input()
    {
        using var folder = new ScratchFolder("extremes-cli");
        string png = folder["extremes.png"];
        var (code, output, error) = Cli.Run("extremes", "--model", Trained.Value, "--data", TinyTrainingCache.Directory, "--split", "validation", "--count", "1", "--out", png);
        Assert.That(code, Is.Zero, error);
        Assert.That(output, Does.Contain("extremes: wrote"));
        PngCheck.ValidAndNotBlank(File.ReadAllBytes(png));

        (code, _, error) = Cli.Run("extremes", "--model", Trained.Value);
        Assert.That((code, error), Is.EqualTo((CommandErrors.BadInput, "error: extremes: give videos or --data CACHE (one of them).\n")));
        (code, _, error) = Cli.Run("extremes", "--model", Trained.Value, "--data", TinyTrainingCache.Directory, "--split", "nope");
        Assert.That(error, Does.StartWith("error: ").And.Contain("no split 'nope'"));
    }

    [Test]
    public void Face_regions_of_a_missing_video_is_one_line()
    {
        var (code, _, error) = Cli.Run("face-regions", "/nonexistent/clip.mp4");
        Assert.That((code, error), Is.EqualTo((CommandErrors.BadInput, "error: /nonexistent/clip.mp4: no such video file or folder.\n")));
    }
}
