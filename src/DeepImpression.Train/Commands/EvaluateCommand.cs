using DeepImpression.Train.Devices;
using System.CommandLine;
using DeepImpression.Core;
using DeepImpression.Core.Serialization;
using DeepImpression.Train.Data.Cache;
using DeepImpression.Train.Data.Labels;
using DeepImpression.Train.Evaluation;
using Spectre.Console;

namespace DeepImpression.Train.Commands;

/// <summary>
/// <c>deepimpression evaluate</c>: the test-time procedure on every clip of a split, accuracy per trait beside the
/// mean-predictor baseline, and the predictions as CSV in the official layout.
/// </summary>
internal static class EvaluateCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "checkpoint (last.npz, best.npz) or imported weights", Required = true };
        var data = new Option<string>("--data") { Description = "a clip cache made by 'deepimpression prepare'", Required = true };
        var split = new Option<string>("--split") { Description = "validation or test", DefaultValueFactory = _ => "validation" };
        var device = new Option<string>("--device") { Description = "cpu, cuda or cuda:N", DefaultValueFactory = _ => "cpu" };
        var deterministic = DeviceSelection.DeterministicOption();
        var chunk = new Option<int>("--chunk") { Description = "frames per chunk of the visual stream", DefaultValueFactory = _ => 32 };
        var output = new Option<string?>("--predictions") { Description = "CSV to write (default: predictions_<split>.csv beside the model)" };
        var allowNonFinite = new Option<bool>("--allow-non-finite") { Description = "load weights even when some are NaN or infinite (a diverged run)" };
        var command = new Command("evaluate", "Evaluate a model on a split of a prepared cache with the original's test-time procedure.")
        {
            model, data, split, device, chunk, output, deterministic, allowNonFinite,
        };
        command.SetAction(parse =>
        {
            var dev = DeviceResolver.Resolve(parse.GetValue(device)!, parse.GetValue(deterministic));
            int chunkSize = parse.GetValue(chunk);
            if (chunkSize is < 1 or > 1024) throw new InvalidInputException($"--chunk {chunkSize}: must be from 1 to 1,024 frames.");
            string modelPath = parse.GetValue(model)!, splitName = parse.GetValue(split)!;
            string csv = parse.GetValue(output) ?? Path.Combine(Path.GetDirectoryName(Path.GetFullPath(modelPath))!, $"predictions_{splitName}.csv");
            OverwriteGuard.NotAModel(csv, "predictions (CSV)");
            var net = ModelFile.Load(modelPath, dev, parse.GetValue(allowNonFinite));
            using var cache = ClipCache.Open(parse.GetValue(data)!);
            if (!cache.SplitNames.Contains(splitName))
                throw new InvalidInputException($"{cache.Directory}: no split '{splitName}' (it has: {string.Join(", ", cache.SplitNames)}).");
            var clips = cache.Split(splitName);
            var predictions = Evaluator.Predict(net, cache, clips, chunkSize,
                (done, total) => { if (done % 10 == 0 || done == total) Console.Error.WriteLine($"evaluated {done}/{total} clips"); });

            AnnotationCsv.WriteOfficial(csv, new LabelSet(predictions.ToDictionary(p => p.Clip, p => p.Predicted)));

            var console = ConsoleOutput.Create();
            // The cache keeps K frames per clip, where predict reads every frame of a video by default: say which.
            console.WriteLine($"each clip: the whole waveform and the cache's {cache.Header.FramesPerClip} frames at {cache.FrameSize}, spread evenly over the clip " +
                              $"as prepare picked them ('predict --frames {cache.Header.FramesPerClip} --frame-size {cache.FrameSize}' reads the same ones from the video)");
            var labelled = predictions.Where(p => p.Target is not null).ToList();
            if (labelled.Count == 0)
            {
                console.WriteLine($"{predictions.Count} clips predicted; the split has no labels, so no accuracy. Predictions: {csv}");
                return 0;
            }
            var accuracy = Evaluator.Score(labelled);
            var trainName = cache.SplitNames.FirstOrDefault(s => s is "train" or "training");
            TraitAccuracy? baseline = null;
            if (trainName is not null)
            {
                var means = TraitAccuracy.MeanPredictor(cache.Split(trainName).Select(i => cache.Clips[i].Targets).OfType<TraitScores>());
                baseline = TraitAccuracy.Compute(labelled.Select(p => (means, p.Target!.Value)).ToList());
            }
            var table = new Table().Border(TableBorder.Simple).AddColumn("trait")
                .AddColumn(new TableColumn("accuracy (1 - MAE)").RightAligned())
                .AddColumn(new TableColumn("mean predictor").RightAligned());
            for (int k = 0; k < TraitScores.Count; k++)
                table.AddRow(TraitScores.Names[k], accuracy.PerTrait[k].ToString("F4"), baseline?.PerTrait[k].ToString("F4") ?? "-");
            table.AddRow("mean", accuracy.Mean.ToString("F4"), baseline?.Mean.ToString("F4") ?? "-");
            console.Write(table);
            console.WriteLine($"{labelled.Count} labelled clips of split '{splitName}'; mean predictor = per-trait means of '{trainName ?? "(no training split)"}'. Predictions: {csv}");
            return 0;
        });
        return command;
    }
}
