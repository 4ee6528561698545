using DeepImpression.Core;
using DeepImpression.Serving.Tests.Support;
using DeepImpression.Train.Data.Labels;
using DeepImpression.Train.Serving;

namespace DeepImpression.Serving.Tests.Profiles;

/// <summary>The CSV files of job profiles and reference people, and the shipped illustrative defaults.</summary>
[TestFixture]
public class ProfileStoreTests
{
    [Test]
    public void Shipped_defaults_are_all_marked_illustrative_and_the_reference_people_are_fictional()
    {
        var store = new ProfileStore(TestFolders.Fresh("defaults"));
        var jobs = store.Load(ProfileKind.Job);
        var people = store.Load(ProfileKind.Person);
        Assert.That(jobs, Has.Count.GreaterThanOrEqualTo(5));
        Assert.That(people, Has.Count.GreaterThanOrEqualTo(5));
        Assert.That(jobs.Concat(people), Has.All.Matches<TraitProfile>(p => p.Illustrative), "every shipped row says it is illustrative");
        // Never ship predicted scores of real, named people: every shipped reference person is a declared fiction.
        Assert.That(people, Has.All.Matches<TraitProfile>(p => p.Name.EndsWith("(fictional)", StringComparison.Ordinal)));
        using var shipped = typeof(ProfileStore).Assembly.GetManifestResourceStream("profiles/people.csv")!;
        string text = new StreamReader(shipped).ReadToEnd();
        Assert.That(text, Does.StartWith("# ILLUSTRATIVE DEFAULTS").And.Contain("FICTIONAL"));
    }

    [Test]
    public void Add_writes_the_defaults_beside_the_new_profile_and_remove_takes_it_out_again()
    {
        string folder = TestFolders.Fresh("store");
        var store = new ProfileStore(folder);
        int shipped = store.Load(ProfileKind.Person).Count;
        var mine = new TraitProfile(ProfileKind.Person, "Grace, with her consent", new TraitScores(0.61f, 0.4f, 0.7234567f, 0.3f, 0.9f), "video:grace.mp4");
        store.Add(mine);

        var reread = new ProfileStore(folder).Load(ProfileKind.Person);
        Assert.That(reread, Has.Count.EqualTo(shipped + 1));
        Assert.That(reread[^1], Is.EqualTo(mine), "names, all float bits and the source survive the file");
        string text = File.ReadAllText(store.PathOf(ProfileKind.Person));
        Assert.That(text, Does.Contain("# Rows whose source is 'illustrative' are the ILLUSTRATIVE DEFAULTS"));
        Assert.That(text, Does.Contain("\nname,extraversion,agreeableness,conscientiousness,neuroticism,openness,source\n"));
        Assert.That(File.Exists(store.PathOf(ProfileKind.Job)), Is.False, "the other kind's file is left alone");

        Assert.That(() => store.Add(mine with { Name = "GRACE, WITH HER CONSENT" }), Throws.InstanceOf<InvalidInputException>().With.Message.Contains("exists already"));
        Assert.That(store.Remove(ProfileKind.Person, "grace, with her consent"), Is.EqualTo(mine));
        Assert.That(new ProfileStore(folder).Load(ProfileKind.Person), Has.Count.EqualTo(shipped));
        Assert.That(() => store.Remove(ProfileKind.Person, "Nobody"), Throws.InstanceOf<InvalidInputException>().With.Message.Contains("no person named 'Nobody'"));
    }

    [TestCase("=HYPERLINK(\"x\")", "formula")]
    [TestCase("", "empty")]
    [TestCase(" padded", "starts or ends with a space")]
    [TestCase("tab\there", "control characters")]
    public void Names_that_would_harm_a_spreadsheet_or_a_reader_are_refused(string name, string problem)
    {
        var store = new ProfileStore(TestFolders.Fresh("names"));
        Assert.That(() => store.Add(new TraitProfile(ProfileKind.Job, name, new TraitScores(0.5f, 0.5f, 0.5f, 0.5f, 0.5f), "scores")),
            Throws.InstanceOf<InvalidInputException>().With.Message.Contains(problem));
    }

    [TestCase("0.6,0.5,0.7,0.4", "expected five numbers")]
    [TestCase("0.6,0.5,0.7,0.4,1.2", "Openness is 1.2")]
    [TestCase("0.6,0.5,x,0.4,0.5", "expected five numbers")]
    [TestCase("0.6,NaN,0.7,0.4,0.5", "Agreeableness is NaN")]
    public void Scores_must_be_five_levels_from_0_to_1(string text, string problem) =>
        Assert.That(() => ProfileStore.ParseScores(text, "--scores"), Throws.InstanceOf<InvalidInputException>().With.Message.Contains(problem));

    [Test]
    public void Scores_are_read_in_the_order_E_A_C_N_O() =>
        Assert.That(ProfileStore.ParseScores(" 0.1, 0.2,0.3 ,0.4,0.5", "--scores"), Is.EqualTo(new TraitScores(0.1f, 0.2f, 0.3f, 0.4f, 0.5f)));

    [TestCase("name,extraversion,agreeableness,conscientiousness,neuroticism,openness,source\nA,0.5,0.5,0.5,0.5,2,x\n", "line 2 (A): Openness is 2")]
    [TestCase("name,extraversion,agreeableness,conscientiousness,neuroticism,openness\nA,0.5,0.5,0.5,0.5,0.5\n", "the column 'source' is missing")]
    [TestCase("name,extraversion,agreeableness,conscientiousness,neuroticism,openness,source\nA,0.5,0.5,0.5,0.5,0.5,x\na,0.1,0.1,0.1,0.1,0.1,x\n", "line 3: the name 'a' appears twice")]
    [TestCase("# a comment\nname,extraversion,agreeableness,conscientiousness,neuroticism,openness,source\nA,0.5,0.5,half,0.5,0.5,x\n", "line 3: conscientiousness 'half' is not a number")]
    [TestCase("name,extraversion,agreeableness,conscientiousness,neuroticism,openness,source\nA,0.5,0.5\n", "line 2 has 3 fields")]
    public void A_hand_edited_file_with_a_mistake_is_refused_with_its_line(string csv, string problem)
    {
        string folder = TestFolders.Fresh("edited");
        var store = new ProfileStore(folder);
        File.WriteAllText(store.PathOf(ProfileKind.Job), csv);
        Assert.That(() => store.Load(ProfileKind.Job), Throws.InstanceOf<InvalidInputException>()
            .With.Message.StartsWith(store.PathOf(ProfileKind.Job)).And.Message.Contains(problem));
    }

    [Test]
    public void Closest_ranks_every_profile_by_float64_euclidean_distance()
    {
        var you = new TraitScores(0.5f, 0.5f, 0.5f, 0.5f, 0.5f);
        var profiles = new[]
        {
            new TraitProfile(ProfileKind.Job, "far", new TraitScores(0.9f, 0.1f, 0.9f, 0.1f, 0.9f), "scores"),
            new TraitProfile(ProfileKind.Job, "near", new TraitScores(0.5f, 0.5f, 0.5f, 0.5f, 0.6f), "scores"),
            new TraitProfile(ProfileKind.Job, "middle", new TraitScores(0.3f, 0.5f, 0.5f, 0.5f, 0.5f), "scores"),
        };
        var closest = ProfileMatch.Closest(you, profiles, 2);
        Assert.That(closest.Select(m => m.Profile.Name), Is.EqualTo(new[] { "near", "middle" }));
        // (0.6f - 0.5f) and (0.3f - 0.5f) in float64, as the floats really are.
        Assert.That(closest[0].Distance, Is.EqualTo(Math.Abs((double)0.6f - 0.5)).Within(1e-15));
        Assert.That(closest[1].Distance, Is.EqualTo(Math.Abs((double)0.3f - 0.5)).Within(1e-15));
        Assert.That(ProfileMatch.TraitDistance(you, profiles[0].Scores), Is.EqualTo(Math.Sqrt(3 * Math.Pow((double)0.9f - 0.5, 2) + 2 * Math.Pow((double)0.1f - 0.5, 2))).Within(1e-15));
    }
}
