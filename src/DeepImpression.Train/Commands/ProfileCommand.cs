using DeepImpression.Train.Devices;
using System.CommandLine;
using System.Globalization;
using DeepImpression.Core;
using DeepImpression.Train.Evaluation;
using DeepImpression.Train.Serving;
using Spectre.Console;

namespace DeepImpression.Train.Commands;

/// <summary><c>deepimpression profile add|list|remove</c>: the job profiles and reference people the demo compares with (<see cref="ProfileStore"/>).</summary>
internal static class ProfileCommand
{
    public static Command Create() => new("profile", "Manage the job profiles and reference people the demo compares results with (CSV files you control).")
    {
        Add(), List(), Remove(),
    };

    private static Option<string> Folder() =>
        new("--profiles") { Description = "folder of jobs.csv and people.csv", DefaultValueFactory = _ => ProfileStore.DefaultDirectory };

    private static Option<string> Kind(bool required) => new("--kind") { Description = "job or person", Required = required };

    private static Command Add()
    {
        var kind = Kind(required: true);
        var name = new Option<string>("--name") { Description = "the profile's name (unique within its kind)", Required = true };
        var video = new Argument<string?>("video") { Description = "a clip to predict the scores from (or give --scores)", Arity = ArgumentArity.ZeroOrOne };
        var scores = new Option<string?>("--scores") { Description = "five trait levels from 0 to 1: E,A,C,N,O" };
        var model = new Option<string?>("--model") { Description = "model for VIDEO (default: the newest runs/*/best.npz of the working folder)" };
        var device = new Option<string>("--device") { Description = "cpu, cuda or cuda:N", DefaultValueFactory = _ => "cpu" };
        var folder = Folder();
        var command = new Command("add", "Add a job profile or reference person, from a clip (its predicted scores) or from five numbers.")
        {
            kind, name, video, scores, model, device, folder,
        };
        command.SetAction(parse =>
        {
            string? clip = parse.GetValue(video), levels = parse.GetValue(scores);
            if ((clip is null) == (levels is null)) throw new InvalidInputException("profile add: give either a VIDEO or --scores E,A,C,N,O (not both).");
            var profileKind = ProfileKinds.Parse(parse.GetValue(kind)!);
            string profileName = parse.GetValue(name)!;
            ProfileStore.CheckName(profileName, "--name");
            TraitProfile profile;
            if (levels is not null)
            {
                profile = new TraitProfile(profileKind, profileName, ProfileStore.ParseScores(levels, "--scores"), "scores");
            }
            else
            {
                var net = ModelFile.Load(DefaultModel.Resolve(parse.GetValue(model), Environment.CurrentDirectory), DeviceResolver.Resolve(parse.GetValue(device)!));
                profile = new TraitProfile(profileKind, profileName, new VideoPredictor(net).Predict(clip!), "video:" + Path.GetFileName(clip));
            }
            var store = new ProfileStore(parse.GetValue(folder)!);
            store.Add(profile);
            Console.WriteLine($"added {ProfileKinds.Name(profileKind)} '{profile.Name}' ({Describe(profile)}) to {store.PathOf(profileKind)}");
            return 0;
        });
        return command;
    }

    private static Command List()
    {
        var kind = Kind(required: false);
        var folder = Folder();
        var command = new Command("list", "List the job profiles and reference people (the illustrative defaults until you change them).") { kind, folder };
        command.SetAction(parse =>
        {
            var store = new ProfileStore(parse.GetValue(folder)!);
            var kinds = parse.GetValue(kind) is { } k ? [ProfileKinds.Parse(k)] : new[] { ProfileKind.Job, ProfileKind.Person };
            var table = new Table().Border(TableBorder.Simple).AddColumn("kind").AddColumn("name");
            foreach (var t in TraitPoles.All) table.AddColumn(new TableColumn(t.Name[..1]).RightAligned());
            table.AddColumn("source");
            bool anyIllustrative = false;
            foreach (var profileKind in kinds)
            {
                foreach (var p in store.Load(profileKind))
                {
                    anyIllustrative |= p.Illustrative;
                    table.AddRow([ProfileKinds.Name(p.Kind), Markup.Escape(p.Name), .. p.Scores.ToArray().Select(v => v.ToString("0.00", CultureInfo.InvariantCulture)), Markup.Escape(p.Source)]);
                }
            }
            ConsoleOutput.Create().Write(table);
            if (anyIllustrative) Console.WriteLine("'illustrative' rows are invented examples shipped with DeepImpression, not measurements of any job or person.");
            Console.WriteLine($"files: {store.PathOf(ProfileKind.Job)}, {store.PathOf(ProfileKind.Person)} (a missing file means the shipped defaults)");
            return 0;
        });
        return command;
    }

    private static Command Remove()
    {
        var kind = Kind(required: true);
        var name = new Option<string>("--name") { Description = "the profile's name", Required = true };
        var folder = Folder();
        var command = new Command("remove", "Remove a job profile or reference person by name.") { kind, name, folder };
        command.SetAction(parse =>
        {
            var store = new ProfileStore(parse.GetValue(folder)!);
            var gone = store.Remove(ProfileKinds.Parse(parse.GetValue(kind)!), parse.GetValue(name)!);
            Console.WriteLine($"removed {ProfileKinds.Name(gone.Kind)} '{gone.Name}' from {store.PathOf(gone.Kind)}");
            return 0;
        });
        return command;
    }

    private static string Describe(TraitProfile profile) =>
        string.Join(", ", TraitPoles.All.Select((t, i) => $"{t.Name[..1]} {profile.Scores[i].ToString("0.00", CultureInfo.InvariantCulture)}"));
}
