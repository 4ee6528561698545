using DeepImpression.Train.Commands;
using DeepImpression.Train.Synthetic;
using DeepImpression.Train.Tests.Data;
using DeepImpression.Train.Tests.Training;

namespace DeepImpression.Train.Tests.Commands;

/// <summary>The command line itself: help, and options it cannot read or that are out of range, as one line.</summary>
[TestFixture]
[NonParallelizable]
public class CommandLineTests
{
    [TestCase]
    [TestCase("help")]
    [TestCase("--help")]
    public void No_command_or_help_prints_the_help_and_succeeds(params string[] args)
    {
        var (code, output, error) = Cli.Run(args);
        Assert.That(code, Is.Zero, error);
        Assert.That(output, Does.Contain("Usage:").And.Contain("train").And.Contain("predict"));
        Assert.That(error, Is.Empty);
    }

    [Test]
    public void Help_of_a_command_gives_its_options_and_the_synthetic_defaults()
    {
        var (code, output, _) = Cli.Run("help", "train");
        Assert.That(code, Is.Zero);
        Assert.That(output, Does.Contain($"default 10; {SyntheticDefault.Epochs} on the synthetic data").And.Contain("--precise-bn"));
    }

    [TestCase("--epochs two", "--epochs 'two': expected a whole number")]
    [TestCase("--lr fast", "--lr 'fast': expected a number")]
    [TestCase("--seed -3", "--seed '-3': expected a whole number, 0 or more")]
    [TestCase("--lr 1e39", "--lr 1E+39: must be above 0 and at most 1")]
    [TestCase("--lr 0", "--lr 0: must be above 0")]
    [TestCase("--epochs 0", "--epochs 0: must be from 1")]
    [TestCase("--batch-size 100000", "--batch-size 100000: must be from 2")]
    [TestCase("--audio-window 100", "--audio-window 100: must be from 4,096")]
    [TestCase("--crop 8", "--crop 8: must be from 32")]
    [TestCase("--precise-bn -1", "--precise-bn -1: must be 0 (off)")]
    [TestCase("--threads -2", "--threads -2: must be 0")]
    [TestCase("--frobnicate 3", "unrecognized command or argument '--frobnicate'")]
    public void Train_refuses_an_unreadable_or_out_of_range_option_with_one_line_before_touching_any_data(string arguments, string message)
    {
        using var folder = new ScratchFolder("bad-option");
        // --data names a cache that does not exist: an option must be refused before anything reads it.
        var (code, output, error) = Cli.Run(["train", "--data", folder["no-cache"], "--out", folder["run"], .. arguments.Split(' ')]);
        Assert.That(code, Is.EqualTo(CommandErrors.BadInput));
        Assert.That(error.Trim().Split('\n'), Has.Length.EqualTo(1), error);
        Assert.That(error, Does.StartWith("error: ").And.Contain(message));
        Assert.That(error, Does.Not.Contain("System."));
        Assert.That(Directory.Exists(folder["run"]), Is.False, "nothing was written");
        Assert.That(output, Is.Empty);
    }

    [TestCase("--chunk 0", "--chunk 0: must be from 1")]
    [TestCase("--frames 0", "--frames 0: must be from 1")]
    [TestCase("--fps 0", "--fps 0: must be above 0")]
    [TestCase("--max-frames -4", "--max-frames -4: must be from 1")]
    [TestCase("--frames 8 --fps 5", "--frames K picks the frames prepare caches")]
    [TestCase("--frame-size 7x7", "--frame-size '7x7'")]
    public void Predict_refuses_an_out_of_range_option_with_one_line(string arguments, string message)
    {
        var (code, _, error) = Cli.Run(["predict", "--model", "no-model.npz", "no-video.mp4", .. arguments.Split(' ')]);
        Assert.That(code, Is.EqualTo(CommandErrors.BadInput));
        Assert.That(error.Trim().Split('\n'), Has.Length.EqualTo(1), error);
        Assert.That(error, Does.StartWith("error: ").And.Contain(message));
    }

    [Test]
    public void A_resumed_run_checks_the_options_of_its_config_too()
    {
        using var folder = new ScratchFolder("bad-config");
        Directory.CreateDirectory(folder["run"]);
        var config = TinyTrainingCache.Options(folder["run"]) with { Epochs = -5 };
        File.WriteAllText(Path.Combine(folder["run"], "config.json"), config.ToJson());
        var (code, _, error) = Cli.Run("train", "--resume", folder["run"]);
        Assert.That(code, Is.EqualTo(CommandErrors.BadInput));
        Assert.That(error, Does.Contain("--epochs -5: must be from 1"));
    }
}
