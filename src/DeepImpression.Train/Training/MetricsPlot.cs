using DeepImpression.Train.Data.Labels;

namespace DeepImpression.Train.Training;

/// <summary>The training curves of a run as a PNG: training loss, and validation accuracy per trait and mean.</summary>
public static class MetricsPlot
{
    public static void Save(IReadOnlyList<MetricsRow> rows, string path)
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
        }
        plot.ShowLegend();

        string temp = path + ".tmp.png";
        plot.SavePng(temp, 1000, 600);
        File.Move(temp, path, overwrite: true);
    }
}
