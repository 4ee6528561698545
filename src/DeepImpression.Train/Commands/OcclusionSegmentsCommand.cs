using DeepImpression.Train.Devices;
using System.CommandLine;
using System.Globalization;
using DeepImpression.Core;
using DeepImpression.Train.Analysis.Regions;
using DeepImpression.Train.Analysis.Segments;
using DeepImpression.Train.Analysis;
using DeepImpression.Train.Data.Decoding;
using DeepImpression.Train.Data.Labels;
using DeepImpression.Train.Evaluation;
using Spectre.Console;

namespace DeepImpression.Train.Commands;

/// <summary>
/// <c>deepimpression occlusion segments --model M --regions DIR VIDEO...</c>: segment-level occlusion over many videos
/// (README, "Segment-level occlusion and face regions"): the effect size of masking each region on each trait, as
/// a table (printed and <c>segments.csv</c>), every prediction (<c>predictions.csv</c>) and a figure
/// (<c>segments.png</c>).
/// </summary>
internal static class OcclusionSegmentsCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "checkpoint or imported weights", Required = true };
        var regions = new Option<string>("--regions") { Description = "folder of region maps and their legend (README: STEM.npz, STEM.png or STEM/N.png, legend.json or legend.csv)", Required = true };
        var videos = new Argument<string[]>("videos") { Description = "video files, or folders searched for *.mp4", Arity = ArgumentArity.OneOrMore };
        var output = new Option<string>("--out") { Description = "folder for segments.csv, predictions.csv and segments.png", DefaultValueFactory = _ => "occlusion-segments" };
        var frames = new Option<int>("--frames") { Description = "frames per video, spread evenly (0: every frame)", DefaultValueFactory = _ => 8 };
        var size = new Option<string>("--size") { Description = "frame size WIDTHxHEIGHT the videos are decoded at; the region maps must have it", DefaultValueFactory = _ => "456x256" };
        var fill = new Option<string>("--fill") { Description = "what masked pixels become: mean (each frame's mean colour) or R,G,B", DefaultValueFactory = _ => "mean" };
        var only = new Option<string[]>("--mask") { Description = "names of the regions to mask (default: every region of the legend)", AllowMultipleArgumentsPerToken = true };
        var confidence = new Option<double>("--confidence") { Description = "confidence level of the effect sizes' intervals", DefaultValueFactory = _ => 0.95 };
        var scale = new Option<int>("--panel-scale") { Description = "figure pixels per frame pixel (for small frames)", DefaultValueFactory = _ => 1 };
        var device = new Option<string>("--device") { Description = "cpu, cuda or cuda:N", DefaultValueFactory = _ => "cpu" };
        var chunk = new Option<int>("--chunk") { Description = "frames per chunk of the visual stream", DefaultValueFactory = _ => 16 };
        var command = new Command("segments", "Segment-level occlusion: mask each region of given region maps in every video and report the effect size on each trait.")
        {
            model, regions, videos, output, frames, size, fill, only, confidence, scale, device, chunk,
        };
        command.SetAction((parse, cancellation) =>
        {
            if (!(parse.GetValue(confidence) is > 0 and < 1)) throw new InvalidInputException("--confidence must be between 0 and 1, e.g. 0.95.");
            if (parse.GetValue(scale) is < 1 or > 16) throw new InvalidInputException("--panel-scale must be from 1 to 16.");
            int frameCount = parse.GetValue(frames);
            if (frameCount < 0) throw new InvalidInputException("--frames must be 0 (every frame) or more.");
            var options = new SegmentOcclusionOptions
            {
                Frames = frameCount == 0 ? null : frameCount,
                FrameSize = FrameSize.Parse(parse.GetValue(size)!, "--size"),
                Fill = MaskFill.Parse(parse.GetValue(fill)!, "--fill"),
                Confidence = parse.GetValue(confidence),
                ChunkSize = parse.GetValue(chunk),
                Regions = parse.GetValue(only),
            };
            var maps = RegionMapFolder.Open(parse.GetValue(regions)!);
            var files = VideoArguments.Expand(parse.GetValue(videos)!);
            var net = ModelFile.Load(parse.GetValue(model)!, DeviceResolver.Resolve(parse.GetValue(device)!));
            var result = ConsoleProgress.Run("masking", progress => SegmentOcclusion.Run(net, files, maps, options, progress, cancellation));

            string folder = parse.GetValue(output)!;
            Directory.CreateDirectory(folder);
            string table = Path.Combine(folder, "segments.csv"), predictions = Path.Combine(folder, "predictions.csv"), figure = Path.Combine(folder, "segments.png");
            result.WriteTable(table);
            result.WritePredictions(predictions);
            SegmentFigure.Save(result, figure, parse.GetValue(scale));
            Print(result);
            Console.WriteLine($"wrote {table}, {predictions} and {figure}");
            return Task.FromResult(0);
        });
        return command;
    }

    /// <summary>Cohen's d of every region (rows) on every trait (columns), its interval under it.</summary>
    private static void Print(SegmentOcclusionResult result)
    {
        var table = new Table().Border(TableBorder.Simple).AddColumn("region").AddColumn(new TableColumn("n").RightAligned());
        foreach (var n in TraitScores.Names) table.AddColumn(new TableColumn(n).RightAligned());
        foreach (int region in result.Regions)
        {
            var cells = Enumerable.Range(0, TraitScores.Count).Select(k => result.Effect(region, k).Effect).ToArray();
            table.AddRow([Markup.Escape(result.Legend.NameOf(region)), cells[0].N.ToString(CultureInfo.InvariantCulture),
                .. cells.Select(e => double.IsNaN(e.D) ? "-" : Markup.Escape(string.Create(CultureInfo.InvariantCulture, $"{e.D:+0.00;-0.00} [{e.CiLow:+0.00;-0.00}, {e.CiHigh:+0.00;-0.00}]")))]);
        }
        var console = ConsoleOutput.Create();
        console.WriteLine($"Cohen's d of the change when a region is masked ({result.Effects[0].Effect.Confidence:P0} interval), over {result.Videos.Count} videos:");
        console.Write(table);
    }
}
