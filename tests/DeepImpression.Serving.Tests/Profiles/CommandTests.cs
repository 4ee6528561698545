using DeepImpression.Serving.Tests.Support;
using DeepImpression.Train.Tests.Commands;
using DeepImpression.Train.Serving;

namespace DeepImpression.Serving.Tests.Profiles;

/// <summary><c>profile add|list|remove</c> and <c>serve</c>'s refusals, run as a user runs them.</summary>
[TestFixture]
[NonParallelizable]
public class CommandTests
{
    [Test]
    public void Profile_add_list_and_remove_with_typed_scores()
    {
        string folder = TestFolders.Fresh("cli-profiles");
        var (code, output, error) = Cli.Run("profile", "add", "--kind", "job", "--name", "Test pilot", "--scores", "0.6,0.5,0.7,0.4,0.65", "--profiles", folder);
        Assert.That(code, Is.Zero, error);
        Assert.That(output, Does.Contain("added job 'Test pilot' (E 0.60, A 0.50, C 0.70, N 0.40, O 0.65)"));

        (code, output, error) = Cli.Run("profile", "list", "--kind", "job", "--profiles", folder);
        Assert.That(code, Is.Zero, error);
        Assert.That(output, Does.Contain("Test pilot").And.Contain("Sales representative").And.Contain("illustrative"));
        Assert.That(output, Does.Contain("'illustrative' rows are invented examples"));
        Assert.That(output, Does.Not.Contain("(fictional)"), "--kind job lists jobs only");

        (code, output, error) = Cli.Run("profile", "remove", "--kind", "job", "--name", "test PILOT", "--profiles", folder);
        Assert.That(code, Is.Zero, error);
        Assert.That(output, Does.Contain("removed job 'Test pilot'"));
        Assert.That(new ProfileStore(folder).Load(ProfileKind.Job).Select(p => p.Name), Does.Not.Contain("Test pilot"));
    }

    [TestCase(new[] { "--kind", "job", "--name", "X" }, "give either a VIDEO or --scores")]
    [TestCase(new[] { "--kind", "job", "--name", "X", "--scores", "0.5,0.5,0.5,0.5,0.5", "clip.mp4" }, "give either a VIDEO or --scores")]
    [TestCase(new[] { "--kind", "boss", "--name", "X", "--scores", "0.5,0.5,0.5,0.5,0.5" }, "--kind 'boss': expected job or person")]
    [TestCase(new[] { "--kind", "job", "--name", "X", "--scores", "0.5,0.5,0.5" }, "expected five numbers")]
    [TestCase(new[] { "--kind", "person", "--name", "X", "missing.mp4", "--model", "missing.npz" }, "missing.npz: no such model file")]
    public void Profile_add_refuses_bad_input_with_one_line_and_exit_code_2(string[] arguments, string problem)
    {
        var (code, _, error) = Cli.Run(["profile", "add", .. arguments, "--profiles", TestFolders.Fresh("cli-bad")]);
        Assert.That(code, Is.EqualTo(2));
        Assert.That(error.Trim().Split('\n'), Has.Length.EqualTo(1));
        Assert.That(error, Does.StartWith("error: ").And.Contain(problem));
    }

    [Test]
    public void Profile_add_from_a_clip_stores_the_scores_VideoPredictor_gives_it()
    {
        string folder = TestFolders.Fresh("cli-video");
        var (code, output, error) = Cli.Run("profile", "add", "--kind", "person", "--name", "Me", TestClips.Synthetic, "--model", TestModel.Path, "--profiles", folder);
        Assert.That(code, Is.Zero, error);
        Assert.That(output, Does.Contain("added person 'Me'"));
        var me = new ProfileStore(folder).Load(ProfileKind.Person).Single(p => p.Name == "Me");
        Assert.That(me.Scores, Is.EqualTo(TestModel.Predictor.Predict(TestClips.Synthetic)));
        Assert.That(me.Source, Is.EqualTo("video:" + Path.GetFileName(TestClips.Synthetic)));
        Assert.That(me.Illustrative, Is.False);
    }

    [TestCase(new[] { "--model", "no-such-model.npz" }, "error: no-such-model.npz: no such model file.")]
    [TestCase(new[] { "--model", "m.npz", "--max-upload-mb", "0" }, "error: --max-upload-mb must be more than 0 and at most 4000.")]
    [TestCase(new[] { "--model", "m.npz", "--max-seconds", "2" }, "error: --max-seconds must be from 3.14 (what the model needs) to 600.")]
    [TestCase(new[] { "--model", "m.npz", "--record-seconds", "90" }, "error: --record-seconds must be from 3.14 to --max-seconds.")]
    [TestCase(new[] { "--model", "m.npz", "--queue", "-1" }, "error: --queue must be 0 or more.")]
    public void Serve_refuses_bad_options_in_one_line_before_it_listens(string[] arguments, string message)
    {
        var (code, _, error) = Cli.Run(["serve", .. arguments, "--urls", "http://127.0.0.1:0"]);
        Assert.That(code, Is.EqualTo(2));
        Assert.That(error.Trim(), Is.EqualTo(message));
    }

    [Test]
    public void Without_a_model_the_newest_best_checkpoint_under_runs_is_used_or_the_message_says_how_to_train_one()
    {
        string work = TestFolders.Fresh("cwd");
        var none = Assert.Throws<DeepImpression.Core.InvalidInputException>(() => DefaultModel.Resolve(null, work))!;
        Assert.That(none.Message, Does.Contain("no --model given").And.Contain("dotnet run --project src/DeepImpression.Tool -c Release -- train")
            .And.Contain("runs/<date-time>/best.npz").And.Contain("--model CKPT"));

        string older = Path.Combine(work, "runs", "20250101-090000"), newer = Path.Combine(work, "runs", "20250102-090000"), unfinished = Path.Combine(work, "runs", "20250103-090000");
        foreach (var run in new[] { older, newer, unfinished }) Directory.CreateDirectory(run);
        File.WriteAllText(Path.Combine(older, "best.npz"), "");
        File.WriteAllText(Path.Combine(newer, "best.npz"), "");
        File.WriteAllText(Path.Combine(unfinished, "last.npz"), "");
        File.SetLastWriteTimeUtc(Path.Combine(older, "best.npz"), new DateTime(2025, 1, 1, 9, 0, 0, DateTimeKind.Utc));
        File.SetLastWriteTimeUtc(Path.Combine(newer, "best.npz"), new DateTime(2025, 1, 2, 9, 0, 0, DateTimeKind.Utc));
        Assert.That(DefaultModel.Resolve(null, work), Is.EqualTo(Path.Combine(newer, "best.npz")));
        Assert.That(DefaultModel.Resolve("given.npz", work), Is.EqualTo("given.npz"));
    }
}
