using System.Diagnostics;
using DeepImpression.Train.Tests.Labels;

namespace DeepImpression.Train.Tests.Data;

/// <summary><c>data-scripts/chalearn-layout.sh</c> on small fake archive trees of both releases (zip and unzip needed).</summary>
[TestFixture]
public class ChaLearnLayoutScriptTests
{
    private static string Script => Path.Combine(ChaLearnLabelFiles.RepositoryRoot, "data-scripts", "chalearn-layout.sh");

    private static (int Code, string Output) Exec(string file, string workingDirectory, params string[] args)
    {
        var start = new ProcessStartInfo(file) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var p = Process.Start(start)!;
        var err = p.StandardError.ReadToEndAsync();
        string output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, output + err.Result);
    }

    /// <summary>Zips <paramref name="files"/> (names in <paramref name="folder"/>) into <paramref name="zip"/>, encrypted when a password is given.</summary>
    private static void Zip(string folder, string zip, string? password, params string[] files)
    {
        var args = new List<string> { "-q", "-j" };
        if (password is not null) args.AddRange(["-P", password]);
        args.Add(zip);
        args.AddRange(files.Select(f => Path.Combine(folder, f)));
        var (code, output) = Exec("zip", folder, [.. args]);
        Assert.That(code, Is.Zero, $"zip failed (install zip: bash scripts/setup.sh): {output}");
    }

    private static void Touch(string folder, params string[] names)
    {
        foreach (var n in names) File.WriteAllText(Path.Combine(folder, n), $"fake {n}");
    }

    [Test]
    public void Second_release_nested_and_encrypted_archives_are_laid_out_for_prepare()
    {
        using var folder = new ScratchFolder("layout");
        string src = folder["src"], dl = folder["download"];
        Directory.CreateDirectory(src);
        Directory.CreateDirectory(dl);
        Touch(src, "aaaaaaaaaaa.000.mp4", "aaaaaaaaaaa.001.mp4", "bbbbbbbbbbb.000.mp4", "ccccccccccc.000.mp4", "ddddddddddd.000.mp4",
            "annotation_training.pkl", "annotation_validation.pkl", "annotation_test.pkl");
        Zip(src, Path.Combine(src, "training80_01.zip"), null, "aaaaaaaaaaa.000.mp4", "aaaaaaaaaaa.001.mp4");
        Zip(src, Path.Combine(src, "training80_02.zip"), null, "bbbbbbbbbbb.000.mp4");
        Zip(src, Path.Combine(dl, "train-1.zip"), null, "training80_01.zip", "training80_02.zip");
        Zip(src, Path.Combine(src, "validation80_01.zip"), null, "ccccccccccc.000.mp4");
        Zip(src, Path.Combine(dl, "val-1.zip"), null, "validation80_01.zip");
        Zip(src, Path.Combine(src, "test80_01.zip"), null, "ddddddddddd.000.mp4");
        Zip(src, Path.Combine(dl, "test-1e.zip"), "s3cret", "test80_01.zip");
        Zip(src, Path.Combine(dl, "train-annotation.zip"), null, "annotation_training.pkl");
        Zip(src, Path.Combine(dl, "val-annotation-e.zip"), "s3cret", "annotation_validation.pkl");
        Zip(src, Path.Combine(dl, "test-annotation-e.zip"), "other", "annotation_test.pkl");

        var (code, output) = Exec("bash", folder.Path, Script, "--password", "wrong", "--password", "s3cret", "--password", "other", dl, folder["out"]);
        Assert.That(code, Is.Zero, output);
        string Out(string relative) => Path.Combine(folder["out"], relative);
        Assert.That(Directory.GetFiles(Out("train")).Select(Path.GetFileName), Is.EquivalentTo(new[] { "aaaaaaaaaaa.000.mp4", "aaaaaaaaaaa.001.mp4", "bbbbbbbbbbb.000.mp4" }));
        Assert.That(Directory.GetFiles(Out("validation")).Select(Path.GetFileName), Is.EquivalentTo(new[] { "ccccccccccc.000.mp4" }));
        Assert.That(Directory.GetFiles(Out("test")).Select(Path.GetFileName), Is.EquivalentTo(new[] { "ddddddddddd.000.mp4" }));
        Assert.That(File.ReadAllText(Out("test/ddddddddddd.000.mp4")), Is.EqualTo("fake ddddddddddd.000.mp4"));
        foreach (var pkl in new[] { "annotation_training.pkl", "annotation_validation.pkl", "annotation_test.pkl" })
            Assert.That(File.ReadAllText(Out(pkl)), Is.EqualTo($"fake {pkl}"));
        Assert.That(Directory.GetFileSystemEntries(folder["out"]).Select(Path.GetFileName), Has.None.StartsWith(".layout"));
    }

    [Test]
    public void First_release_archives_and_loose_csv_labels_are_laid_out()
    {
        using var folder = new ScratchFolder("layout");
        string src = folder["src"], dl = folder["download"];
        Directory.CreateDirectory(src);
        Directory.CreateDirectory(dl);
        Touch(src, "eeeeeeeeeee.000.mp4", "fffffffffff.002.mp4");
        Touch(dl, "training_gt.csv");
        Zip(src, Path.Combine(dl, "training80_01.zip"), null, "eeeeeeeeeee.000.mp4");
        Zip(src, Path.Combine(dl, "validation80_01.zip"), null, "fffffffffff.002.mp4");

        var (code, output) = Exec("bash", folder.Path, Script, dl, folder["out"]);
        Assert.That(code, Is.Zero, output);
        Assert.That(File.Exists(Path.Combine(folder["out"], "train", "eeeeeeeeeee.000.mp4")), Is.True);
        Assert.That(File.Exists(Path.Combine(folder["out"], "validation", "fffffffffff.002.mp4")), Is.True);
        Assert.That(File.Exists(Path.Combine(folder["out"], "training_gt.csv")), Is.True);
    }

    [Test]
    public void An_encrypted_archive_without_its_password_is_named_and_the_rest_still_laid_out()
    {
        using var folder = new ScratchFolder("layout");
        string src = folder["src"], dl = folder["download"];
        Directory.CreateDirectory(src);
        Directory.CreateDirectory(dl);
        Touch(src, "ggggggggggg.000.mp4", "hhhhhhhhhhh.000.mp4");
        Zip(src, Path.Combine(dl, "test-2e.zip"), "s3cret", "ggggggggggg.000.mp4");
        Zip(src, Path.Combine(dl, "val-2.zip"), null, "hhhhhhhhhhh.000.mp4");

        var (code, output) = Exec("bash", folder.Path, Script, dl, folder["out"]);
        Assert.That(code, Is.EqualTo(1));
        Assert.That(output, Does.Contain("test-2e.zip").And.Contain("--password"));
        Assert.That(File.Exists(Path.Combine(folder["out"], "validation", "hhhhhhhhhhh.000.mp4")), Is.True);
    }
}
