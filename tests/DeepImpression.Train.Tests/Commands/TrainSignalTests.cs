using System.Diagnostics;
using System.Text.RegularExpressions;
using DeepImpression.Core.Serialization;
using DeepImpression.Train.Tests.Data;
using DeepImpression.Train.Tests.Training;
using DeepImpression.Train.Training;

namespace DeepImpression.Train.Tests.Commands;

/// <summary>
/// <c>deepimpression train</c> as a real process, stopped by a real signal while it trains: it exits 130 with a
/// checkpoint of the step it names, and a second run resumes from it. (Which phase the signal falls into is up to the
/// machine; <see cref="InterruptTests"/> covers each phase deterministically.)
/// </summary>
[TestFixture, Category("Slow")]
public class TrainSignalTests
{
    [TestCase("INT")]
    [TestCase("TERM")]
    public void A_signal_ends_train_with_a_checkpoint_of_its_last_step(string signal)
    {
        using var folder = new ScratchFolder("signal");
        string run = folder["run"];
        string[] args =
        [
            "train", "--data", TinyTrainingCache.Directory, "--out", run, "--epochs", "200", "--batch-size", "2", "--crop", "32",
            "--audio-window", "4096", "--eval-every", "1", "--precise-bn", "4", "--threads", "2",
        ];
        var (code, output) = RunUntil(args, signal, line => line.StartsWith("epoch 1:", StringComparison.Ordinal));
        Assert.That(code, Is.EqualTo(130), output);
        var match = Regex.Match(output, @"interrupted at step (\d+): saved (\S+);");
        Assert.That(match.Success, Is.True, output);
        long step = long.Parse(match.Groups[1].Value);
        Assert.That(step, Is.GreaterThanOrEqualTo(6), "two epochs of three steps were done");
        Assert.That(StepOf(new RunFolder(run).LastCheckpoint), Is.EqualTo(step));

        // The run continues from that step, and a second signal there saves again.
        (code, output) = RunUntil(["train", "--resume", run, "--threads", "2"], signal, line => line.StartsWith("resumed from", StringComparison.Ordinal));
        Assert.That(code, Is.EqualTo(130), output);
        Assert.That(output, Does.Contain($"epoch {step / 3}, batch {step % 3}, step {step}"));
        match = Regex.Match(output, @"interrupted at step (\d+): saved");
        Assert.That(match.Success, Is.True, output);
        Assert.That(StepOf(new RunFolder(run).LastCheckpoint), Is.EqualTo(long.Parse(match.Groups[1].Value)));
    }

    private static long StepOf(string checkpoint) => (long)NpzFile.Read(checkpoint)["training/step"].ToFloat64()[0];

    /// <summary>Runs the CLI, sends SIG<paramref name="signal"/> once a line of its output matches, and returns its
    /// exit code and everything it printed.</summary>
    private static (int Code, string Output) RunUntil(string[] args, string signal, Func<string, bool> when)
    {
        // A shell starts background jobs with SIGINT ignored, and children inherit that (a test run in the background
        // would pass it on); env --default-signal gives the CLI the disposition it has in a terminal.
        var start = new ProcessStartInfo("env") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "--default-signal=INT,TERM", "dotnet", Path.Combine(AppContext.BaseDirectory, "deepimpression.dll") }) start.ArgumentList.Add(a);
        foreach (var a in args) start.ArgumentList.Add(a);
        start.Environment["CI"] = "1";
        using var process = Process.Start(start)!;
        var lines = new List<string>();
        var seen = new TaskCompletionSource();
        void Collect(string? line)
        {
            if (line is null) return;
            lock (lines) lines.Add(line);
            if (when(line)) seen.TrySetResult();
        }
        process.OutputDataReceived += (_, e) => Collect(e.Data);
        process.ErrorDataReceived += (_, e) => Collect(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            if (!seen.Task.Wait(TimeSpan.FromMinutes(5)) || process.HasExited)
                Assert.Fail("the run did not get there: " + string.Join("\n", lines));
            using (var kill = Process.Start("kill", ["-" + signal, process.Id.ToString()])) kill.WaitForExit();
            Assert.That(process.WaitForExit(TimeSpan.FromMinutes(5)), Is.True, "the run ends after the signal");
            process.WaitForExit();
            lock (lines) return (process.ExitCode, string.Join("\n", lines));
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
    }
}
