using DeepImpression.Train.Devices;
using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using DeepImpression.Core;
using DeepImpression.Train.Data.Decoding;
using DeepImpression.Train.Data.Labels;
using DeepImpression.Train.Evaluation;
using Spectre.Console;

namespace DeepImpression.Train.Commands;

/// <summary>
/// <c>deepimpression predict</c>: the five trait scores of each video (or each video in a folder), streamed through
/// <see cref="VideoPredictor"/> so that memory does not grow with a clip's length. A video that cannot be decoded gets
/// one error line and the others still get their scores.
/// </summary>
internal static class PredictCommand
{
    /// <summary>What a folder argument contributes: its files with these extensions (not its subfolders).</summary>
    public static IReadOnlySet<string> VideoExtensions { get; } =
        new HashSet<string>(StringComparer.OrdinalIgnoreCase) { ".mp4", ".m4v", ".mov", ".mkv", ".webm", ".avi", ".flv", ".wmv", ".mpg", ".mpeg", ".ts", ".3gp" };

    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "checkpoint or imported weights", Required = true };
        var videos = new Argument<string[]>("videos") { Description = "video files with an audio track, or folders of them (their video files, not subfolders)", Arity = ArgumentArity.OneOrMore };
        var json = new Option<bool>("--json") { Description = "print JSON instead of a table (a score that is not a number is null)" };
        var device = new Option<string>("--device") { Description = "cpu, cuda or cuda:N", DefaultValueFactory = _ => "cpu" };
        var deterministic = DeviceSelection.DeterministicOption();
        var chunk = new Option<int>("--chunk") { Description = "frames per chunk of the visual stream (memory grows with it, not with the clip)", DefaultValueFactory = _ => VideoPredictor.DefaultChunkSize };
        var frames = new Option<int?>("--frames")
        {
            Description = "read K frames spread evenly over the clip, the ones 'prepare --frames K' caches, so that the scores are those of " +
                          "'evaluate' on such a cache (with its --frame-size); default: every frame, the original's test-time procedure",
        };
        var fps = new Option<double?>("--fps") { Description = "resample the video to this many frames per second first (fewer frames, faster)" };
        var maxFrames = new Option<int?>("--max-frames") { Description = "read at most N frames, spread evenly over the clip (after --fps)" };
        var frameSize = new Option<string>("--frame-size") { Description = "resize frames to WIDTHxHEIGHT (a cache's size, to reproduce evaluate on it)", DefaultValueFactory = _ => FrameSize.Network.ToString() };
        var allowNonFinite = new Option<bool>("--allow-non-finite") { Description = "load weights even when some are NaN or infinite (a diverged run)" };
        var command = new Command("predict", "Predict the apparent Big Five traits of videos with the test-time procedure (every frame, the whole sound), " +
                                             "streaming each video so that memory does not grow with its length.")
        {
            model, videos, json, device, chunk, frames, fps, maxFrames, frameSize, allowNonFinite, deterministic,
        };
        command.SetAction(parse =>
        {
            int chunkSize = parse.GetValue(chunk);
            if (chunkSize is < 1 or > 1024) throw new InvalidInputException($"--chunk {chunkSize}: must be from 1 to 1,024 frames.");
            var selection = Selection(parse.GetValue(frames), parse.GetValue(fps), parse.GetValue(maxFrames));
            var size = FrameSize.Parse(parse.GetValue(frameSize)!, "--frame-size");
            var files = Expand(parse.GetValue(videos)!);
            var dev = DeviceResolver.Resolve(parse.GetValue(device)!, parse.GetValue(deterministic));
            var predictor = new VideoPredictor(ModelFile.Load(parse.GetValue(model)!, dev, parse.GetValue(allowNonFinite)),
                new VideoPredictorOptions { ChunkSize = chunkSize, Frames = selection, FrameSize = size });

            var results = new List<VideoPrediction>();
            int failed = 0;
            try
            {
                foreach (var video in files)
                {
                    try
                    {
                        results.Add(predictor.Score(video));
                    }
                    catch (InvalidInputException e)
                    {
                        failed++;
                        Console.Error.WriteLine($"error: {e.Message}");
                    }
                }
            }
            finally
            {
                // Whatever stopped the loop, the videos already scored are printed.
                Print(results, parse.GetValue(json));
            }
            return failed == 0 ? 0 : CommandErrors.BadInput;
        });
        return command;
    }

    /// <summary>The frame options as one selection; <c>--frames</c> stands alone.</summary>
    public static FrameSelection Selection(int? frames, double? fps, int? maxFrames)
    {
        if (frames is { } k)
        {
            if (fps is not null || maxFrames is not null) throw new InvalidInputException("--frames K picks the frames prepare caches; it does not combine with --fps or --max-frames.");
            if (k is < 1 or > 1_000_000) throw new InvalidInputException($"--frames {k}: must be from 1 to 1,000,000.");
            return new FrameSelection(MaxFrames: k).Validated();
        }
        return new FrameSelection(fps, maxFrames).Validated();
    }

    /// <summary>Files as given, folders as their video files in name order; a path that is neither is kept, so that
    /// it gets its own error line.</summary>
    public static List<string> Expand(IEnumerable<string> paths)
    {
        var files = new List<string>();
        foreach (var path in paths)
        {
            if (!Directory.Exists(path))
            {
                files.Add(path);
                continue;
            }
            var inside = Directory.EnumerateFiles(path).Where(f => VideoExtensions.Contains(Path.GetExtension(f)))
                .OrderBy(f => f, StringComparer.Ordinal).ToList();
            if (inside.Count == 0) throw new InvalidInputException($"{path}: a folder with no video files ({string.Join(", ", VideoExtensions.Order())}).");
            files.AddRange(inside);
        }
        return files;
    }

    private static void Print(List<VideoPrediction> results, bool json)
    {
        if (json)
        {
            Console.WriteLine(ToJson(results));
            return;
        }
        if (results.Count == 0) return;
        var table = new Table().Border(TableBorder.Simple).AddColumn("video");
        foreach (var n in TraitScores.Names) table.AddColumn(new TableColumn(n).RightAligned());
        table.AddColumn("frames");
        foreach (var r in results)
            table.AddRow([Markup.Escape(r.Video), .. r.Scores.ToArray().Select(x => x.ToString("F4")), Markup.Escape(r.Frames.ToString())]);
        ConsoleOutput.Create().Write(table);
    }

    /// <summary>The predictions as a JSON array; a score that is NaN or infinite (weights loaded with
    /// --allow-non-finite) is null, so that the document stays valid JSON and the other scores stay readable.</summary>
    public static string ToJson(IEnumerable<VideoPrediction> results)
    {
        var array = new JsonArray();
        foreach (var r in results)
        {
            var item = new JsonObject { ["video"] = r.Video };
            var scores = r.Scores.ToArray();
            for (int k = 0; k < scores.Length; k++)
                item[TraitScores.Names[k].ToLowerInvariant()] = float.IsFinite(scores[k]) ? JsonValue.Create(scores[k]) : null;
            item["frames"] = new JsonObject
            {
                ["used"] = r.Frames.Used,
                ["decoded"] = r.Frames.Decoded,
                ["indices"] = r.Frames.Indices is { } picked ? new JsonArray(picked.Select(i => (JsonNode?)JsonValue.Create(i)).ToArray()) : null,
                ["fps"] = r.Frames.Selection.Fps,
            };
            item["audio_samples"] = r.AudioSamples;
            array.Add(item);
        }
        return array.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }
}
