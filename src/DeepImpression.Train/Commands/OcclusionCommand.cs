using DeepImpression.Train.Devices;
using System.CommandLine;
using System.Globalization;
using DeepImpression.Core;
using DeepImpression.Train.Analysis.Occlusion;
using DeepImpression.Train.Analysis.Rendering;
using DeepImpression.Train.Analysis;
using DeepImpression.Train.Evaluation;

namespace DeepImpression.Train.Commands;

/// <summary>
/// <c>deepimpression occlusion</c>: what drives the predictions. <c>pixel</c> masks patches of the frames (the
/// poster's Figure 4); <c>audio</c> masks windows of the waveform; <c>segments</c> masks labelled regions over many videos (Figure 5). Thin: the work is in <see cref="PixelOcclusion"/>
/// and <see cref="AudioOcclusion"/>.
/// </summary>
internal static class OcclusionCommand
{
    public static Command Create()
    {
        var command = new Command("occlusion", "Mask parts of a video's input and measure how the five predicted traits change.");
        command.Subcommands.Add(CreatePixel());
        command.Subcommands.Add(CreateAudio());
        command.Subcommands.Add(OcclusionSegmentsCommand.Create());
        return command;
    }

    private static Command CreatePixel()
    {
        var shared = new SharedOptions(defaultFrames: "1", defaultFill: "mean", defaultBatch: 32);
        var size = new Option<string>("--size") { Description = "mask size in pixels: N or WIDTHxHEIGHT", DefaultValueFactory = _ => "10" };
        var stride = new Option<string>("--stride") { Description = "a mask centred on every Nth pixel: N or XxY", DefaultValueFactory = _ => "4" };
        var sign = new Option<string>("--sign") { Description = "trait maps: all (diverging), positive, negative or absolute", DefaultValueFactory = _ => "all" };
        var style = new Option<string>("--style") { Description = "blended, heatmap, masked or alpha (Captum's methods)", DefaultValueFactory = _ => "blended" };
        var projection = new Option<string>("--projection") { Description = "mask positions to pixels: bilinear, nearest or coverage (Captum's per-pixel mean)", DefaultValueFactory = _ => "bilinear" };
        var alpha = new Option<double>("--alpha") { Description = "opacity of the heat map over the frame", DefaultValueFactory = _ => 0.6 };
        var percentile = new Option<double>("--percentile") { Description = "colour limit at this percentile of |change| (100: the largest)", DefaultValueFactory = _ => 100 };
        var scale = new Option<int>("--scale") { Description = "draw each pixel as NxN (1: the frame's own size)", DefaultValueFactory = _ => 1 };
        var showPlan = new Option<bool>("--show-plan") { Description = "print the incremental plan: patch sizes and multiply-adds per layer" };
        var command = new Command("pixel", "Mask a patch centred on every Nth pixel of the frames (default 10x10 every 4) and map each trait's change " +
                                           "and the distance between the five-trait predictions over a representative frame.");
        shared.AddTo(command);
        foreach (var option in new Option[] { size, stride, sign, style, projection, alpha, percentile, scale, showPlan }) command.Options.Add(option);
        command.SetAction(parse =>
        {
            var (net, video, folder) = shared.Open(parse);
            var options = new PixelOcclusionOptions
            {
                MaskSize = ParsePair(parse.GetValue(size)!, "--size"),
                Stride = ParsePair(parse.GetValue(stride)!, "--stride"),
                Fill = MaskFill.Parse(parse.GetValue(shared.Fill)!, "--fill"),
                Frames = shared.FrameCount(parse) ?? throw new InvalidInputException("--frames: give a number of frames for pixel occlusion."),
                Method = shared.MethodOf(parse),
                BatchSize = parse.GetValue(shared.Batch),
            }.Validated();
            var figures = new OcclusionFigureOptions
            {
                Projection = ParseChoice<PixelProjection>(parse.GetValue(projection)!, "--projection"),
                Style = new HeatMapOptions
                {
                    Sign = ParseChoice<SignMode>(parse.GetValue(sign)!, "--sign"),
                    Method = ParseStyle(parse.GetValue(style)!),
                    OverlayAlpha = InRange(parse.GetValue(alpha), 0, 1, "--alpha"),
                    Percentile = InRange(parse.GetValue(percentile), 1e-9, 100, "--percentile"),
                    PanelScale = (int)InRange(parse.GetValue(scale), 1, 16, "--scale"),
                },
            };
            if (figures.Style.Sign == SignMode.All && figures.Style.Method is HeatMapMethod.MaskedImage or HeatMapMethod.AlphaScaling)
                throw new InvalidInputException("--style masked and alpha show magnitudes: add --sign positive, negative or absolute.");

            var map = ConsoleProgress.Run("masked frames", progress => PixelOcclusion.AnalyzeVideo(net, video, options, progress));
            if (parse.GetValue(showPlan)) Console.WriteLine(map.Plan.Describe());
            var files = map.WriteTo(folder, figures);
            Report(map, files, $"{map.Grid.Count} masks of {options.MaskSize.W}x{options.MaskSize.H} px on {map.FrameCount} frame(s) of {map.Width}x{map.Height}");
            return 0;
        });
        return command;
    }

    private static Command CreateAudio()
    {
        var shared = new SharedOptions(defaultFrames: "all", defaultFill: "0", defaultBatch: 16);
        var window = new Option<string>("--window") { Description = "masked window: samples at 16 kHz, or seconds with 's' (e.g. 0.5s)", DefaultValueFactory = _ => "0.5s" };
        var hop = new Option<string>("--hop") { Description = "step between windows, samples or seconds", DefaultValueFactory = _ => "0.25s" };
        var command = new Command("audio", "Mask windows of the waveform in turn and plot each trait's change over time under the waveform.");
        shared.AddTo(command);
        command.Options.Add(window);
        command.Options.Add(hop);
        command.SetAction(parse =>
        {
            var (net, video, folder) = shared.Open(parse);
            var options = new AudioOcclusionOptions
            {
                Window = ParseSamples(parse.GetValue(window)!, "--window"),
                Hop = ParseSamples(parse.GetValue(hop)!, "--hop"),
                Fill = MaskFill.Parse(parse.GetValue(shared.Fill)!, "--fill"),
                Frames = shared.FrameCount(parse),
                Method = shared.MethodOf(parse),
                BatchSize = parse.GetValue(shared.Batch),
            }.Validated();
            var map = ConsoleProgress.Run("masked waveforms", progress => AudioOcclusion.AnalyzeVideo(net, video, options, progress));
            var files = map.WriteTo(folder);
            Report(map, files, $"{map.Grid.Count} windows of {options.Window / 16000.0:0.###} s every {options.Hop / 16000.0:0.###} s");
            return 0;
        });
        return command;
    }

    private static void Report(OcclusionMap map, IReadOnlyList<string> files, string what)
    {
        Console.WriteLine($"{map.Source}: {what}");
        Console.WriteLine($"unmasked prediction: {string.Join(", ", Data.Labels.TraitScores.Names.Select((n, k) => string.Create(CultureInfo.InvariantCulture, $"{n} {map.Baseline[k]:0.000}")))}");
        Console.WriteLine(map.Cost);
        foreach (var file in files) Console.WriteLine($"wrote {file}");
    }

    /// <summary>Options both subcommands take.</summary>
    private sealed class SharedOptions(string defaultFrames, string defaultFill, int defaultBatch)
    {
        public Option<string> Model { get; } = new("--model") { Description = "checkpoint or imported weights", Required = true };
        public Argument<string> Video { get; } = new("video") { Description = "a video file with an audio track" };
        public Option<string?> Out { get; } = new("--out") { Description = "folder for the figures, npz and JSON (default: occlusion-<video name>)" };
        public Option<string> Device { get; } = new("--device") { Description = "cpu, cuda or cuda:N", DefaultValueFactory = _ => "cpu" };
        public Option<string> Method { get; } = new("--method") { Description = "incremental (recompute only what a mask changes) or naive (a full forward per mask)", DefaultValueFactory = _ => "incremental" };
        public Option<int> Batch { get; } = new("--batch") { Description = "masked inputs per batch (Captum's perturbations_per_eval)", DefaultValueFactory = _ => defaultBatch };
        public Option<string> Frames { get; } = new("--frames") { Description = "frames spread over the clip whose visual features are averaged (a number, or all)", DefaultValueFactory = _ => defaultFrames };
        public Option<string> Fill { get; } = new("--fill") { Description = "what fills a mask: mean (per channel), a number, or one number per channel (R,G,B)", DefaultValueFactory = _ => defaultFill };

        public void AddTo(Command command)
        {
            command.Arguments.Add(Video);
            foreach (var option in new Option[] { Model, Out, Device, Method, Batch, Frames, Fill }) command.Options.Add(option);
        }

        public (Core.Model.DeepImpressionNet Net, string Video, string Folder) Open(ParseResult parse)
        {
            string video = parse.GetValue(Video)!;
            if (!File.Exists(video)) throw new InvalidInputException($"{video}: no such video file.");
            if (parse.GetValue(Batch) < 1) throw new InvalidInputException("--batch must be at least 1.");
            var device = DeviceResolver.Resolve(parse.GetValue(Device)!);
            var net = ModelFile.Load(parse.GetValue(Model)!, device);
            string folder = parse.GetValue(Out) ?? $"occlusion-{Path.GetFileNameWithoutExtension(video)}";
            return (net, video, folder);
        }

        public OcclusionMethod MethodOf(ParseResult parse) => ParseChoice<OcclusionMethod>(parse.GetValue(Method)!, "--method");

        /// <summary>The frame count, or null for all frames.</summary>
        public int? FrameCount(ParseResult parse)
        {
            string text = parse.GetValue(Frames)!;
            if (text.Equals("all", StringComparison.OrdinalIgnoreCase)) return null;
            return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int k) && k >= 1
                ? k : throw new InvalidInputException($"--frames '{text}': expected a number of frames (at least 1) or 'all'.");
        }
    }

    /// <summary>"N" or "WIDTHxHEIGHT" as (H, W).</summary>
    private static (int H, int W) ParsePair(string text, string what)
    {
        var parts = text.Trim().ToLowerInvariant().Split('x');
        var numbers = parts.Select(p => int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out int v) ? v : 0).ToArray();
        if (parts.Length is 1 or 2 && numbers.All(n => n is >= 1 and <= 4096))
            return parts.Length == 1 ? (numbers[0], numbers[0]) : (numbers[1], numbers[0]);
        throw new InvalidInputException($"{what} '{text}': expected a positive number or WIDTHxHEIGHT, e.g. 10 or 16x8.");
    }

    /// <summary>Samples at 16 kHz, or seconds written with an 's'.</summary>
    private static int ParseSamples(string text, string what)
    {
        text = text.Trim().ToLowerInvariant();
        bool seconds = text.EndsWith('s');
        if (double.TryParse(seconds ? text[..^1] : text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) && value > 0)
        {
            double samples = seconds ? value * Data.ClipFormat.SampleRate : value;
            if (samples >= 1 && samples <= int.MaxValue && (seconds || samples == Math.Floor(samples))) return (int)Math.Round(samples);
        }
        throw new InvalidInputException($"{what} '{text}': expected a number of samples (e.g. 8000) or seconds (e.g. 0.5s).");
    }

    private static T ParseChoice<T>(string text, string what) where T : struct, Enum =>
        Enum.TryParse<T>(text.Trim(), ignoreCase: true, out var value) && Enum.IsDefined(value)
            ? value
            : throw new InvalidInputException($"{what} '{text}': expected one of {string.Join(", ", Enum.GetNames<T>().Select(n => n.ToLowerInvariant()))}.");

    private static HeatMapMethod ParseStyle(string text) => text.Trim().ToLowerInvariant() switch
    {
        "blended" => HeatMapMethod.BlendedHeatMap,
        "heatmap" => HeatMapMethod.HeatMap,
        "masked" => HeatMapMethod.MaskedImage,
        "alpha" => HeatMapMethod.AlphaScaling,
        _ => throw new InvalidInputException($"--style '{text}': expected blended, heatmap, masked or alpha."),
    };

    private static double InRange(double value, double low, double high, string what) =>
        value >= low && value <= high ? value : throw new InvalidInputException($"{what} {value.ToString(CultureInfo.InvariantCulture)} is not in [{low.ToString(CultureInfo.InvariantCulture)}, {high.ToString(CultureInfo.InvariantCulture)}].");
}
