using System.CommandLine;
using DeepImpression.Core;
using DeepImpression.Core.Model;
using DeepImpression.Core.Serialization;
using DeepImpression.Core.Tensors;

namespace DeepImpression.Train.Commands;

/// <summary><c>deepimpression import</c>: turns weights saved by the original Chainer implementation into a checkpoint.</summary>
internal static class ImportCommand
{
    public static Command Create()
    {
        var from = new Option<string>("--from") { Description = "npz saved by the original implementation (keys like aud/conv1_relu/conv/W, optionally under predictor/)", Required = true };
        var output = new Option<string>("--out") { Description = "checkpoint to write", Required = true };
        var partial = new Option<bool>("--allow-partial") { Description = "load what matches even if some arrays are missing or mis-shaped" };
        var command = new Command("import", "Convert the original Chainer model's weights into a DeepImpression checkpoint.") { from, output, partial };
        command.SetAction(parse =>
        {
            string source = parse.GetValue(from)!, target = parse.GetValue(output)!;
            if (!File.Exists(source)) throw new InvalidInputException($"{source}: no such file.");
            OverwriteGuard.NotATrainingCheckpoint(target, "imported weights");
            var net = new DeepImpressionNet(Device.Cpu);
            var report = ModelWeights.Load(source, net, parse.GetValue(partial));
            Console.WriteLine($"{source}: {report.Describe(maxNames: 20)}");
            Checkpoint.Save(target, net, texts: new Dictionary<string, string> { ["imported_from"] = Path.GetFullPath(source) });
            Console.WriteLine($"wrote {target}");
            return 0;
        });
        return command;
    }
}
