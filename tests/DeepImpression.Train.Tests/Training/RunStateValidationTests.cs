using DeepImpression.Core;
using DeepImpression.Core.Model;
using DeepImpression.Core.Optim;
using DeepImpression.Core.Serialization;
using DeepImpression.Core.Tensors;
using DeepImpression.Train.Tests.Commands;
using DeepImpression.Train.Training;

namespace DeepImpression.Train.Tests.Training;

/// <summary>
/// A run folder whose <c>config.json</c> or checkpoint was damaged or edited: every field of the run state is checked
/// before a step is taken (issue 16, items 9 and 11).
/// </summary>
[TestFixture]
[NonParallelizable]
public class RunStateValidationTests
{
    private string _root = null!;
    private IReadOnlyDictionary<string, NpyArray> _checkpoint = null!;

    /// <summary>The run state of a run stopped after 2 steps of its first epoch.</summary>
    private static Dictionary<string, double> GoodState() => new()
    {
        ["epoch"] = 0, ["batch"] = 2, ["step"] = 2, ["epoch_loss_sum"] = 0.5, ["epoch_loss_count"] = 2,
        ["best_accuracy"] = double.NegativeInfinity, ["wall_seconds"] = 3,
    };

    [OneTimeSetUp]
    public void SaveOneCheckpoint()
    {
        System.IO.Directory.CreateDirectory(_root = Path.Combine(Path.GetTempPath(), "deepimpression-tests", "run-state-" + Guid.NewGuid().ToString("N")));
        var net = new DeepImpressionNet(Device.Cpu, seed: 1);
        string path = Path.Combine(_root, "template.npz");
        Checkpoint.Save(path, net, new Adam(net.NamedParameters()), GoodState());
        _checkpoint = NpzFile.Read(path);
    }

    [OneTimeTearDown]
    public void DeleteRoot() => System.IO.Directory.Delete(_root, recursive: true);

    /// <summary>A run folder over the tiny cache whose checkpoint holds <paramref name="state"/>.</summary>
    private RunFolder RunWith(IReadOnlyDictionary<string, double> state)
    {
        var run = new RunFolder(Path.Combine(_root, Guid.NewGuid().ToString("N")));
        System.IO.Directory.CreateDirectory(run.Path);
        File.WriteAllText(run.Config, TinyTrainingCache.Options(run.Path).ToJson());
        var arrays = _checkpoint.Where(a => !a.Key.StartsWith(Checkpoint.TrainingPrefix, StringComparison.Ordinal))
            .Select(a => (a.Key, a.Value))
            .Concat(state.Select(s => (Checkpoint.TrainingPrefix + s.Key, NpyArray.Scalar(s.Value))));
        NpzFile.Write(run.LastCheckpoint, arrays);
        return run;
    }

    [TestCase("epoch", -5.0, "a whole number from 0 to 2147483647")]
    [TestCase("batch", 1e18, "a whole number from 0 to 2147483647")]
    [TestCase("step", 2.5, "a whole number from 0 to 9007199254740992")]
    [TestCase("epoch_loss_sum", double.NaN, "a number from 0 to")]
    [TestCase("best_accuracy", double.PositiveInfinity, "(or -inf)")]
    [TestCase("wall_seconds", -1.0, "a number from 0 to")]
    public void A_run_state_value_no_run_could_have_written_is_refused_before_any_step(string key, double value, string allowed)
    {
        var state = GoodState();
        state[key] = value;
        var run = RunWith(state);
        var (code, _, error) = Cli.Run("train", "--resume", run.Path);
        Assert.That(code, Is.EqualTo(2), error);
        Assert.That(error, Does.StartWith($"error: {run.LastCheckpoint}: training/{key} = ").And.Contain(allowed).And.EndWith("the checkpoint is damaged or was edited.\n"));
        Assert.That(File.Exists(run.Metrics), Is.False, "no step was taken");
    }

    [Test]
    public void Values_that_contradict_each_other_or_the_cache_are_refused()
    {
        var state = GoodState();
        state["epoch_loss_count"] = 5;
        var (code, _, error) = Cli.Run("train", "--resume", RunWith(state).Path);
        Assert.That(code, Is.EqualTo(2));
        Assert.That(error, Does.Contain("training/epoch_loss_count = 5: more losses than the 2 batches done in the epoch."));

        state = GoodState();
        state["batch"] = state["step"] = state["epoch_loss_count"] = 500;
        var run = RunWith(state);
        (code, _, error) = Cli.Run("train", "--resume", run.Path);
        Assert.That(code, Is.EqualTo(2));
        Assert.That(error, Does.StartWith($"error: {run.LastCheckpoint}: training/batch = 500, but an epoch of ").And.Contain("was the cache changed?"));
    }

    [Test]
    public void A_checkpoint_without_run_state_is_named_as_such()
    {
        var run = RunWith(new Dictionary<string, double>());
        var (code, _, error) = Cli.Run("train", "--resume", run.Path);
        Assert.That(code, Is.EqualTo(2));
        Assert.That(error, Is.EqualTo($"error: {run.LastCheckpoint}: not a training checkpoint (no training/epoch); import weights with 'deepimpression import' instead.\n"));
    }

    [Test]
    public void A_stale_temporary_checkpoint_of_a_killed_run_is_removed_when_the_run_starts()
    {
        var state = GoodState();
        state["epoch"] = -1;
        var run = RunWith(state);
        string stale = Path.Combine(run.Path, $".last.npz.{int.MaxValue - 1}.{Guid.NewGuid():N}.tmp");
        File.WriteAllBytes(stale, new byte[1 << 20]);
        var (code, output, _) = Cli.Run("train", "--resume", run.Path);
        Assert.That(code, Is.EqualTo(2));
        Assert.That(File.Exists(stale), Is.False);
        Assert.That(output, Does.Contain($"removed {stale}"));
    }

    [TestCase("", "empty; expected a JSON object.")]
    [TestCase("{\"Data\": \"x\", \"RunDirectory\": \"y\", \"Epochs\": 1e18}", "not valid JSON at line 1")]
    [TestCase("{\"Data\": \"x\"}", "missing 'RunDirectory'")]
    [TestCase("null", "the JSON is null, not an object.")]
    public void A_damaged_config_json_is_one_line(string json, string problem)
    {
        var run = RunWith(GoodState());
        File.WriteAllText(run.Config, json);
        var (code, _, error) = Cli.Run("train", "--resume", run.Path);
        Assert.That(code, Is.EqualTo(2));
        Assert.That(error, Does.StartWith($"error: {run.Config}: ").And.Contain(problem));
        Assert.That(error.TrimEnd().Split('\n'), Has.Length.EqualTo(1));
    }

    [Test]
    public void A_config_json_nested_without_end_is_refused_at_the_depth_bound()
    {
        string deep = "{\"Data\": \"x\", \"RunDirectory\": \"y\", \"Extra\": " + new string('[', 100_000) + "}";
        var e = Assert.Throws<InvalidInputException>(() => TrainingOptions.FromJson(deep, "config.json"));
        Assert.That(e!.Message, Does.StartWith("config.json: not valid JSON at line 1").And.EndWith($"nested deeper than {DeepImpression.Train.Data.JsonInput.MaxDepth} levels."));
    }
}
