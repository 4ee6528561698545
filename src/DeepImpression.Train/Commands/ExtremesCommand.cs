using DeepImpression.Train.Devices;
using System.CommandLine;
using System.Globalization;
using DeepImpression.Core;
using DeepImpression.Core.Serialization;
using DeepImpression.Train.Analysis.Extremes;
using DeepImpression.Train.Analysis.Rendering;
using DeepImpression.Train.Data.Cache;
using DeepImpression.Train.Data.Decoding;
using DeepImpression.Train.Data.Labels;
using DeepImpression.Train.Evaluation;

namespace DeepImpression.Train.Commands;

/// <summary>
/// <c>deepimpression extremes --model M (VIDEO... | --data CACHE [--split S]) [--count 3] [--out extremes.png]</c>:
/// the clips predicted highest and lowest on each trait, one representative frame each with its score (the poster's
/// Figure 3).
/// </summary>
internal static class ExtremesCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "checkpoint or imported weights", Required = true };
        var videos = new Argument<string[]>("videos") { Description = "video files, or folders searched for *.mp4 (or give --data)", Arity = ArgumentArity.ZeroOrMore };
        var data = new Option<string?>("--data") { Description = "a clip cache made by 'deepimpression prepare', instead of videos" };
        var split = new Option<string?>("--split") { Description = "with --data: the split to rank (default: every clip)" };
        var count = new Option<int>("--count") { Description = "clips shown at each end of each trait", DefaultValueFactory = _ => 3 };
        var output = new Option<string>("--out") { Description = "the montage (PNG)", DefaultValueFactory = _ => "extremes.png" };
        var width = new Option<int>("--cell-width") { Description = "width of each frame in the montage, in pixels", DefaultValueFactory = _ => 160 };
        var device = new Option<string>("--device") { Description = "cpu, cuda or cuda:N", DefaultValueFactory = _ => "cpu" };
        var chunk = new Option<int>("--chunk") { Description = "frames per chunk of the visual stream", DefaultValueFactory = _ => VideoPredictor.DefaultChunkSize };
        var command = new Command("extremes", "Montage of the clips predicted highest and lowest on each trait, one frame each with its score.")
        {
            model, videos, data, split, count, output, width, device, chunk,
        };
        command.SetAction((parse, cancellation) =>
        {
            if (parse.GetValue(count) < 1) throw new InvalidInputException("--count must be at least 1.");
            if (parse.GetValue(width) is < 16 or > 1024) throw new InvalidInputException("--cell-width must be from 16 to 1024.");
            if (parse.GetValue(chunk) < 1) throw new InvalidInputException("--chunk must be at least 1.");
            var given = parse.GetValue(videos) ?? [];
            string? cachePath = parse.GetValue(data);
            if ((given.Length == 0) == (cachePath is null)) throw new InvalidInputException("extremes: give videos or --data CACHE (one of them).");
            var net = ModelFile.Load(parse.GetValue(model)!, DeviceResolver.Resolve(parse.GetValue(device)!));

            byte[] png;
            int failed = 0;
            if (cachePath is not null)
            {
                using var cache = ClipCache.Open(cachePath);
                var clips = parse.GetValue(split) is { } name
                    ? cache.SplitNames.Contains(name) ? cache.Split(name) : throw new InvalidInputException($"{cache.Directory}: no split '{name}' (it has: {string.Join(", ", cache.SplitNames)}).")
                    : [.. Enumerable.Range(0, cache.Count)];
                var scored = ConsoleProgress.Run("predicting", progress =>
                    Evaluator.Predict(net, cache, clips, parse.GetValue(chunk), (done, total) => progress.Report((done, total)), cancellation))
                    .Select(p => new ScoredClip(p.Clip, p.Predicted)).ToArray();
                png = ExtremeClips.Render(scored, parse.GetValue(count), c =>
                {
                    cache.TryGetIndex(c.Name, out int index);
                    return RgbImage.FromPlanar(cache.Frame(index, cache.Clips[index].FrameCount / 2), cache.FrameSize.Width, cache.FrameSize.Height);
                }, parse.GetValue(width));
            }
            else
            {
                var predictor = new VideoPredictor(net, parse.GetValue(chunk));
                var files = VideoArguments.Expand(given);
                var scored = new List<ScoredClip>();
                ConsoleProgress.Run("predicting", progress =>
                {
                    foreach (var file in files)
                    {
                        try
                        {
                            scored.Add(new ScoredClip(file, predictor.Predict(file, cancellation)));
                        }
                        catch (InvalidInputException e)
                        {
                            failed++;
                            Console.Error.WriteLine($"error: {e.Message}");
                        }
                        progress.Report((scored.Count + failed, files.Count));
                    }
                    return scored;
                });
                if (scored.Count == 0) throw new InvalidInputException("extremes: no video could be predicted.");
                // The middle frame of each video shown.
                var decoder = new ClipDecoder(FrameSize.Network, minimumAudioSamples: 1);
                png = ExtremeClips.Render(scored, parse.GetValue(count), c =>
                {
                    var frame = decoder.DecodeFrames(c.Name, 1, cancellation);
                    return RgbImage.FromPlanar(frame.Frame(0), frame.FrameSize.Width, frame.FrameSize.Height);
                }, parse.GetValue(width));
            }
            string path = parse.GetValue(output)!;
            AtomicFile.Write(path, s => s.Write(png));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"extremes: wrote {path} ({TraitScores.Count} traits x {2 * parse.GetValue(count)} clips)"));
            return Task.FromResult(failed == 0 ? 0 : CommandErrors.BadInput);
        });
        return command;
    }
}
