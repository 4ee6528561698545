using DeepImpression.Core.Serialization;
using DeepImpression.Train.Tests.Commands;
using DeepImpression.Train.Tests.Data;

namespace DeepImpression.Train.Tests.Analysis;

/// <summary><c>deepimpression occlusion</c> on bad input: one line naming the file and the problem, exit code 2.</summary>
public sealed class OcclusionCommandTests
{
    [Test]
    public void AFileThatIsNotAModelGetsOneClearError()
    {
        using var folder = new ScratchFolder("occlusion-cli");
        var video = TestMedia.Make(folder["clip.mp4"], 1, withAudio: true);
        File.WriteAllText(folder["model.npz"], "not a model");
        var (code, _, err) = Cli.Run("occlusion", "pixel", "--model", folder["model.npz"], video, "--out", folder["out"]);
        Assert.That(code, Is.EqualTo(2));
        Assert.That(err.Trim().Split('\n'), Has.Length.EqualTo(1));
        Assert.That(err, Does.StartWith($"error: {folder["model.npz"]}:"));
        Assert.That(Directory.Exists(folder["out"]), Is.False, "nothing written");
    }

    [TestCase("pixel")]
    [TestCase("audio")]
    public void AVideoWithoutFramesGetsOneClearError(string kind)
    {
        using var folder = new ScratchFolder("occlusion-cli");
        string audioOnly = folder["sound.mp4"];
        var run = DeepImpression.Train.Data.Decoding.ExternalTool.Run(DeepImpression.Train.Data.Decoding.ExternalTool.Ffmpeg,
            ["-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i", "sine=frequency=440:duration=1", "-c:a", "aac", audioOnly]);
        Assert.That(run.Succeeded, Is.True, run.Stderr);
        Checkpoint.Save(folder["model.npz"], RandomNetwork.Create(seed: 1));
        var (code, _, err) = Cli.Run("occlusion", kind, "--model", folder["model.npz"], audioOnly, "--out", folder["out"]);
        Assert.That(code, Is.EqualTo(2));
        Assert.That(err.Trim(), Is.EqualTo($"error: {audioOnly}: no video track."));
    }

    [Test]
    public void BadOptionsGetOneClearError()
    {
        using var folder = new ScratchFolder("occlusion-cli");
        var video = TestMedia.Make(folder["clip.mp4"], 1, withAudio: true);
        Checkpoint.Save(folder["model.npz"], RandomNetwork.Create(seed: 1));
        foreach (var (args, message) in new[]
        {
            (new[] { "pixel", "--size", "0" }, "--size '0'"),
            (new[] { "pixel", "--stride", "4x" }, "--stride '4x'"),
            (new[] { "pixel", "--method", "fast" }, "--method 'fast'"),
            (new[] { "pixel", "--style", "masked" }, "--style masked and alpha show magnitudes"),
            (new[] { "pixel", "--frames", "all" }, "--frames"),
            (new[] { "audio", "--window", "-3" }, "--window '-3'"),
            (new[] { "pixel", "--fill", "grey" }, "--fill 'grey'"),
        })
        {
            var (code, _, err) = Cli.Run(["occlusion", .. args, "--model", folder["model.npz"], video, "--out", folder["out"]]);
            Assert.That(code, Is.EqualTo(2), string.Join(" ", args));
            Assert.That(err, Does.StartWith("error: ").And.Contain(message), string.Join(" ", args));
        }
    }
}
