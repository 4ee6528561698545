using DeepImpression.Core.Serialization;

namespace DeepImpression.Core.Tests.Serialization;

[TestFixture]
public class AtomicFileTests
{
    private string _folder = "";

    [SetUp]
    public void CreateFolder() => _folder = Directory.CreateTempSubdirectory("atomic-test-").FullName;

    [TearDown]
    public void DeleteFolder() => Directory.Delete(_folder, recursive: true);

    [Test]
    public void A_writer_that_throws_midway_leaves_the_old_file_and_no_temporary_file()
    {
        var path = Path.Combine(_folder, "metrics.csv");
        File.WriteAllText(path, "old content");

        Assert.That(() => AtomicFile.Write(path, stream =>
        {
            stream.Write(new byte[100_000]);
            throw new InvalidOperationException("crash midway");
        }), Throws.InvalidOperationException.With.Message.EqualTo("crash midway"));

        Assert.That(File.ReadAllText(path), Is.EqualTo("old content"));
        Assert.That(Directory.GetFiles(_folder), Is.EqualTo(new[] { path }));
    }

    [Test]
    public void A_finished_write_replaces_the_file()
    {
        var path = Path.Combine(_folder, "state.json");
        File.WriteAllText(path, "old");

        AtomicFile.WriteText(path, text => text.Write("new é"));

        Assert.That(File.ReadAllText(path), Is.EqualTo("new é"));
        Assert.That(File.ReadAllBytes(path)[0], Is.EqualTo((byte)'n'), "no byte order mark");
        Assert.That(Directory.GetFiles(_folder), Has.Length.EqualTo(1));
    }

    [Test]
    public void A_missing_folder_is_a_clear_error()
    {
        var path = Path.Combine(_folder, "absent", "x.npz");
        Assert.That(() => AtomicFile.Write(path, _ => { }), Throws.TypeOf<InvalidInputException>().With.Message.Contains("does not exist"));
    }

    [Test]
    public void Temporaries_of_dead_processes_are_removed_and_those_of_live_ones_kept()
    {
        // What SIGKILL during a checkpoint write leaves: a full-size temporary named with the writer's PID.
        int dead = DeadProcessId();
        string Temporary(string name, int pid) => Path.Combine(_folder, $".{name}.{pid}.{Guid.NewGuid():N}.tmp");
        string stale = Temporary("last.npz", dead), otherStale = Temporary("best.npz", dead);
        string live = Temporary("last.npz", 1), own = Temporary("last.npz", Environment.ProcessId);
        string notOurs = Path.Combine(_folder, ".last.npz.notes.tmp");
        foreach (var f in new[] { stale, otherStale, live, own, notOurs }) File.WriteAllBytes(f, new byte[1000]);

        // Writing last.npz clears its own stale temporaries only.
        AtomicFile.Write(Path.Combine(_folder, "last.npz"), s => s.WriteByte(1));
        Assert.That(File.Exists(stale), Is.False);
        Assert.That(new[] { otherStale, live, own, notOurs }.All(File.Exists), Is.True);

        // At the start of a run, every stale one in the folder goes.
        Assert.That(AtomicFile.RemoveStaleTemporaries(_folder), Is.EqualTo(new[] { otherStale }));
        Assert.That(new[] { live, own, notOurs }.All(File.Exists), Is.True);
    }

    private static int DeadProcessId()
    {
        using var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("true") { UseShellExecute = false })!;
        process.WaitForExit();
        return process.Id;
    }
}
