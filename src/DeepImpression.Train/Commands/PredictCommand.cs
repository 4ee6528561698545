using System.CommandLine;
using System.Text.Json;
using DeepImpression.Core;
using DeepImpression.Train.Data.Labels;
using DeepImpression.Train.Evaluation;
using Spectre.Console;

namespace DeepImpression.Train.Commands;

/// <summary><c>deepimpression predict</c>: the five trait scores of each video; a video that cannot be decoded gets one error line.</summary>
public static class PredictCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "checkpoint or imported weights", Required = true };
        var videos = new Argument<string[]>("videos") { Description = "video files (mp4 with an audio track)", Arity = ArgumentArity.OneOrMore };
        var json = new Option<bool>("--json") { Description = "print JSON instead of a table" };
        var device = new Option<string>("--device") { Description = "cpu, cuda or cuda:N", DefaultValueFactory = _ => "cpu" };
        var deterministic = DeviceSelection.DeterministicOption();
        var chunk = new Option<int>("--chunk") { Description = "frames per chunk of the visual stream", DefaultValueFactory = _ => VideoPredictor.DefaultChunkSize };
        var command = new Command("predict", "Predict the apparent Big Five traits of videos with the test-time procedure (every frame, the whole sound).")
        {
            model, videos, json, device, chunk, deterministic,
        };
        command.SetAction(parse =>
        {
            var dev = DeviceSelection.Resolve(parse.GetValue(device)!, parse.GetValue(deterministic));
            int chunkSize = parse.GetValue(chunk);
            if (chunkSize < 1) throw new InvalidInputException("--chunk must be at least 1.");
            var predictor = new VideoPredictor(ModelFile.Load(parse.GetValue(model)!, dev), chunkSize);
            var results = new List<(string Video, TraitScores Scores)>();
            int failed = 0;
            foreach (var video in parse.GetValue(videos)!)
            {
                try
                {
                    results.Add((video, predictor.Predict(video)));
                }
                catch (InvalidInputException e)
                {
                    failed++;
                    Console.Error.WriteLine($"error: {e.Message}");
                }
            }
            if (parse.GetValue(json))
            {
                var doc = results.Select(r => new Dictionary<string, object>
                {
                    ["video"] = r.Video,
                    ["extraversion"] = r.Scores.Extraversion, ["agreeableness"] = r.Scores.Agreeableness,
                    ["conscientiousness"] = r.Scores.Conscientiousness, ["neuroticism"] = r.Scores.Neuroticism, ["openness"] = r.Scores.Openness,
                });
                Console.WriteLine(JsonSerializer.Serialize(doc, new JsonSerializerOptions { WriteIndented = true }));
            }
            else if (results.Count > 0)
            {
                var table = new Table().Border(TableBorder.Simple).AddColumn("video");
                foreach (var n in TraitScores.Names) table.AddColumn(new TableColumn(n).RightAligned());
                foreach (var (v, s) in results)
                    table.AddRow([Markup.Escape(v), .. s.ToArray().Select(x => x.ToString("F4"))]);
                ConsoleOutput.Create().Write(table);
            }
            return failed == 0 ? 0 : CommandErrors.BadInput;
        });
        return command;
    }
}
