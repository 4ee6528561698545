using System.CommandLine;
using System.Globalization;
using DeepImpression.Train.Data.Decoding;
using DeepImpression.Train.Synthetic;

namespace DeepImpression.Train.Commands;

/// <summary>
/// <c>deepimpression synth --out DIR --clips N --seed S [--seconds 15] [--size 456x256] [--variant standard|localized]</c>: a synthetic data set in the
/// second release's layout, with labels that are a known function of what is seen and heard (README, "Synthetic data").
/// </summary>
internal static class SynthCommand
{
    public static Command Create()
    {
        var output = new Option<string>("--out") { Description = "Folder to write (train/, validation/, test/, annotation_*.pkl, synthetic.json).", Required = true };
        var clips = new Option<int>("--clips") { Description = "Number of clips (60% train, 20% validation, 20% test).", DefaultValueFactory = _ => 96 };
        var seed = new Option<ulong>("--seed") { Description = "Seed: the same seed and settings give the same files.", DefaultValueFactory = _ => 1 };
        var seconds = new Option<double>("--seconds") { Description = "Length of each clip in seconds (at least 3.2).", DefaultValueFactory = _ => 15 };
        var size = new Option<string>("--size") { Description = "Frame size WIDTHxHEIGHT of the encoded video.", DefaultValueFactory = _ => "456x256" };
        var variant = new Option<string>("--variant")
        {
            Description = "standard: every cue spread over the frame or the clip; localized: Conscientiousness seen only in a badge, Extraversion heard only in the middle third (README, \"Synthetic data\").",
            DefaultValueFactory = _ => "standard",
        };
        variant.AcceptOnlyFromAmong([.. SyntheticVariants.Names]);
        var jobs = new Option<int>("--jobs") { Description = "Clips encoded at the same time.", DefaultValueFactory = _ => Math.Max(1, Environment.ProcessorCount) };

        var command = new Command("synth", "Make a synthetic ChaLearn-like data set: real mp4 clips (H.264 + AAC, 30 fps) and official-format labels.");
        foreach (var o in new Option[] { output, clips, seed, seconds, size, variant, jobs }) command.Options.Add(o);
        command.SetAction((parse, cancellation) =>
        {
            var options = new SyntheticDataSetOptions
            {
                OutputDirectory = parse.GetValue(output)!,
                Clips = parse.GetValue(clips),
                Seed = parse.GetValue(seed),
                Seconds = parse.GetValue(seconds),
                FrameSize = FrameSize.Parse(parse.GetValue(size)!, "--size"),
                Variant = SyntheticVariants.Parse(parse.GetValue(variant)!),
                Jobs = parse.GetValue(jobs),
            };
            var report = ConsoleProgress.Run("synth", progress => SyntheticDataSet.Generate(options, progress, cancellation));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"synth: {report.Clips.Count} clips in {report.Directory} (train {report.Count(SyntheticPlan.Train)}, validation {report.Count(SyntheticPlan.Validation)}, test {report.Count(SyntheticPlan.Test)}); " +
                $"{report.Encoded} encoded, {report.AlreadyPresent} already there; {report.Elapsed.TotalSeconds:0.0} s."));
            return Task.FromResult(0);
        });
        return command;
    }
}
