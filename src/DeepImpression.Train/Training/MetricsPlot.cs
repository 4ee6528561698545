using DeepImpression.Train.Data.Labels;

namespace DeepImpression.Train.Training;

/// <summary>
/// The training curves of a run as a PNG: training loss, validation accuracy per trait and mean, and the mean
/// predictor's accuracy on the same clips (the line a model must stay above). The legend sits beside the chart, never
/// over the curves.
/// </summary>
internal static class MetricsPlot
{
    /// <summary>Draws the loss and validation curves of <paramref name="rows"/> to the PNG <paramref name="path"/>.</summary>
    /// <param name="rows">The metrics, one row per epoch.</param>
    /// <param name="path">The picture to write.</param>
    /// <param name="baseline">The mean predictor's mean validation accuracy, drawn as a dashed line when known.</param>
    public static void Save(IReadOnlyList<MetricsRow> rows, string path, double? baseline = null)
    {
        if (rows.Count == 0) return;
        // One chart: the loss against the left axis, accuracies against the right.
        var plot = new ScottPlot.Plot();

        var steps = rows.Select(r => (double)r.Step).ToArray();
        var lossLine = plot.Add.Scatter(steps, rows.Select(r => r.TrainLoss).ToArray());
        lossLine.LegendText = "training loss (MAE, left axis)";
        plot.Title("Training loss and validation accuracy (1 - MAE)");
        plot.XLabel("step");
        plot.Axes.Left.Label.Text = "training loss (mean absolute error)";
        plot.Axes.Right.Label.Text = "validation accuracy";

        var evaluated = rows.Where(r => r.ValidationMean is not null).ToArray();
        if (evaluated.Length > 0)
        {
            var x = evaluated.Select(r => (double)r.Step).ToArray();
            Func<MetricsRow, double?>[] traits =
            [
                r => r.ValidationExtraversion, r => r.ValidationAgreeableness, r => r.ValidationConscientiousness,
                r => r.ValidationNeuroticism, r => r.ValidationOpenness,
            ];
            for (int k = 0; k < traits.Length; k++)
            {
                var line = plot.Add.Scatter(x, evaluated.Select(r => traits[k](r) ?? double.NaN).ToArray());
                line.LegendText = TraitScores.Names[k];
                line.Axes.YAxis = plot.Axes.Right;
            }
            var mean = plot.Add.Scatter(x, evaluated.Select(r => r.ValidationMean!.Value).ToArray());
            mean.LegendText = "validation mean";
            mean.LineWidth = 3;
            mean.Axes.YAxis = plot.Axes.Right;
            if (baseline is { } b)
            {
                var line = plot.Add.HorizontalLine(b);
                line.LegendText = $"mean predictor ({b:F4})";
                line.LinePattern = ScottPlot.LinePattern.Dashed;
                line.LineWidth = 2;
                line.Color = ScottPlot.Colors.Black;
                line.Axes.YAxis = plot.Axes.Right;
            }
        }
        plot.ShowLegend(ScottPlot.Edge.Right);

        string temp = path + ".tmp.png";
        plot.SavePng(temp, 1200, 600);
        File.Move(temp, path, overwrite: true);
    }
}
