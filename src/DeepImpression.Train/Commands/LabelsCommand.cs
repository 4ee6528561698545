using System.CommandLine;
using System.Globalization;
using DeepImpression.Train.Data.Labels;
using Spectre.Console;

namespace DeepImpression.Train.Commands;

/// <summary>
/// <c>deepimpression labels FILE [--baseline-from TRAIN_FILE]</c>: the clip count and each trait's spread, and the
/// accuracy of predicting the training means, the baseline every model must beat.
/// </summary>
internal static class LabelsCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("file") { Description = "A label file: annotation_*.pkl, the first-release CSV, or our own CSV." };
        var baseline = new Option<string?>("--baseline-from")
        {
            Description = "Training labels whose per-trait means are the baseline prediction; prints its accuracy (1 - MAE) on FILE.",
        };
        var command = new Command("labels", "Show the clips and trait statistics of a label file, and the mean-predictor baseline.");
        command.Arguments.Add(file);
        command.Options.Add(baseline);
        command.SetAction(parse =>
        {
            var path = parse.GetValue(file)!;
            var labels = AnnotationFiles.Read(path);
            var training = parse.GetValue(baseline) is { } trainingPath ? AnnotationFiles.Read(trainingPath) : null;
            Print(AnsiConsole.Console, path, labels, training);
            return 0;
        });
        return command;
    }

    internal static void Print(IAnsiConsole console, string path, LabelSet labels, LabelSet? training)
    {
        console.MarkupLine($"[bold]{Markup.Escape(path)}[/]: {labels.Count.ToString("N0", CultureInfo.InvariantCulture)} clips");

        var table = new Table().AddColumn("trait").AddColumn(Right("mean")).AddColumn(Right("std")).AddColumn(Right("min")).AddColumn(Right("max"));
        var traits = LabelStatistics.OfTraits(labels);
        for (var t = 0; t < TraitScores.Count; t++) AddRow(table, TraitScores.Names[t], traits[t]);
        if (LabelStatistics.OfInterview(labels) is { } interview) AddRow(table, "Interview", interview);
        console.Write(table);

        if (training is null) return;
        var means = LabelStatistics.TraitMeans(training);
        var accuracy = LabelStatistics.ConstantPredictorAccuracy(labels, means);
        var source = Path.GetFileName(training.Source ?? "the training labels");
        console.MarkupLine($"Baseline: every clip gets the trait means of {training.Count.ToString("N0", CultureInfo.InvariantCulture)} clips ([bold]{Markup.Escape(source)}[/])");
        var baseline = new Table().AddColumn("trait").AddColumn(Right("training mean")).AddColumn(Right("accuracy (1 - MAE)"));
        for (var t = 0; t < TraitScores.Count; t++) baseline.AddRow(TraitScores.Names[t], Format(means[t]), Format(accuracy[t]));
        baseline.AddRow("[bold]mean of the five[/]", "", $"[bold]{Format(accuracy.Average())}[/]");
        console.Write(baseline);
    }

    private static void AddRow(Table table, string name, ColumnStatistics s) =>
        table.AddRow(name, Format(s.Mean), Format(s.StandardDeviation), Format(s.Min), Format(s.Max));

    private static TableColumn Right(string header) => new TableColumn(header).RightAligned();

    // Four decimals: a mean predictor already scores about 0.883, so results differ in the third decimal.
    private static string Format(double value) => value.ToString("F4", CultureInfo.InvariantCulture);
}
