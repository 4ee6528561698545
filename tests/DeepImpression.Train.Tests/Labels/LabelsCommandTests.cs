using System.Globalization;
using DeepImpression.Train.Commands;
using DeepImpression.Train.Data.Labels;
using Spectre.Console;

namespace DeepImpression.Train.Tests.Labels;

[TestFixture]
public class LabelsCommandTests
{
    private static string Render(LabelSet labels, LabelSet? training)
    {
        var output = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Out = new AnsiConsoleOutput(output),
        });
        console.Profile.Width = 200;
        LabelsCommand.Print(console, "labels.pkl", labels, training);
        return output.ToString();
    }

    [Test]
    public void It_prints_the_count_the_spread_and_the_baseline_to_four_decimals()
    {
        // Validation: 4 clips; training means are 0.5 for every trait, so the accuracy per trait is 1 - mean |v - 0.5|.
        var clips = new Dictionary<string, TraitScores>
        {
            ["a.mp4"] = new(0.0f, 0.5f, 0.25f, 1.0f, 0.5f),
            ["b.mp4"] = new(1.0f, 0.5f, 0.75f, 1.0f, 0.5f),
            ["c.mp4"] = new(0.5f, 0.5f, 0.25f, 1.0f, 0.5f),
            ["d.mp4"] = new(0.5f, 0.5f, 0.75f, 1.0f, 0.5f),
        };
        var training = new LabelSet(new Dictionary<string, TraitScores>
        {
            ["t1.mp4"] = new(0.25f, 0.25f, 0.25f, 0.25f, 0.25f),
            ["t2.mp4"] = new(0.75f, 0.75f, 0.75f, 0.75f, 0.75f),
        }, source: "/x/annotation_training.pkl");

        var text = Render(new LabelSet(clips), training);

        Assert.That(text, Does.Contain("labels.pkl: 4 clips"));
        // Extraversion: mean 0.5, population std sqrt((0.25+0.25+0+0)/4) = 0.3536, min 0, max 1.
        Assert.That(Row(text, "Extraversion"), Is.EqualTo(new[] { "0.5000", "0.3536", "0.0000", "1.0000" }));
        Assert.That(Row(text, "Neuroticism"), Is.EqualTo(new[] { "1.0000", "0.0000", "1.0000", "1.0000" }));
        // Accuracies: E 1-0.25=0.75, A 1, C 0.75, N 0.5, O 1; mean 0.8.
        var baseline = text[text.IndexOf("Baseline", StringComparison.Ordinal)..];
        Assert.That(baseline, Does.Contain("annotation_training.pkl").And.Contain("2 clips"));
        Assert.That(Row(baseline, "Extraversion"), Is.EqualTo(new[] { "0.5000", "0.7500" }));
        Assert.That(Row(baseline, "Neuroticism"), Is.EqualTo(new[] { "0.5000", "0.5000" }));
        Assert.That(Row(baseline, "mean of the five"), Is.EqualTo(new[] { "0.8000" }));
    }

    [Test]
    public void Without_a_baseline_it_prints_no_baseline_and_shows_interview_when_present()
    {
        var labels = LabelSamples.Random(10, seed: 1, withInterview: true);
        var text = Render(labels, null);
        Assert.That(text, Does.Not.Contain("Baseline"));
        Assert.That(Row(text, "Interview")[0], Is.EqualTo(labels.Interview!.Values.Average(v => (double)v).ToString("F4", CultureInfo.InvariantCulture)));
    }

    [Test]
    public void The_command_exits_with_the_bad_input_code_and_one_line_for_a_corrupt_file()
    {
        var path = Path.Combine(Path.GetTempPath(), $"corrupt-{Guid.NewGuid():N}.pkl");
        File.WriteAllBytes(path, [0x80, 2, (byte)'c', (byte)'o', (byte)'s', (byte)'\n']);
        var error = new StringWriter();
        var previous = Console.Error;
        try
        {
            Console.SetError(error);
            Assert.That(DeepImpressionCommand.Run(["labels", path]), Is.EqualTo(CommandErrors.BadInput));
        }
        finally
        {
            Console.SetError(previous);
            File.Delete(path);
        }
        Assert.That(error.ToString().TrimEnd(), Does.StartWith($"error: {path}: truncated").And.Not.Contain("\n"));
    }

    // The numbers of the table row that starts with the given label.
    private static string[] Row(string text, string label) =>
        text.Split('\n').First(line => line.Contains(label, StringComparison.Ordinal))
            .Split(['│', '|', ' '], StringSplitOptions.RemoveEmptyEntries)
            .Where(cell => double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
            .ToArray();
}
