using System.Diagnostics;
using DeepImpression.Core;
using DeepImpression.Train.Data.Decoding;
using DeepImpression.Train.Synthetic;

namespace DeepImpression.Train.Tests.Data;

/// <summary>
/// Hostile files and names on their way to ffmpeg: names that look like options, FIFOs, tools that hang, and a parent
/// that dies while its tools run (issue 16, item 10).
/// </summary>
[TestFixture]
[NonParallelizable]
[Platform("Linux")]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public class ExternalToolTests
{
    private static string AnyClip => SyntheticDataSet.PathOf(TinySyntheticSet.Root, TinySyntheticSet.Report.Clips[0]);

    [Test]
    public void Files_named_like_options_are_decoded_as_files_and_never_read_as_options()
    {
        using var folder = new ScratchFolder("dash");
        File.Copy(AnyClip, folder["-dash.mp4"]);
        File.Copy(AnyClip, folder["-report"]);
        string before = Environment.CurrentDirectory;
        Environment.CurrentDirectory = folder.Path;
        try
        {
            // Relative names, as a user types them or a folder walk of "." yields them.
            var clip = new ClipDecoder(TinySyntheticSet.Size).Decode("-dash.mp4", 2);
            Assert.That(clip.FrameCount, Is.EqualTo(2));
            var info = MediaProbe.Probe("-report");
            Assert.That(info.HasVideo && info.HasAudio, Is.True);
        }
        finally
        {
            Environment.CurrentDirectory = before;
        }
        // ffprobe -report would have written ffprobe-<date>-<time>.log into the working folder.
        Assert.That(Directory.GetFiles(folder.Path, "*.log"), Is.Empty);
        Assert.That(ExternalTool.FileArgument("-x.mp4"), Is.EqualTo("file:" + Path.GetFullPath("-x.mp4")));
    }

    [Test]
    public void A_bare_path_as_a_tool_input_is_a_programming_error()
    {
        var e = Assert.Throws<ArgumentException>(() => ExternalTool.Run(ExternalTool.Ffprobe, ["-v", "error", "-i", "-report"]));
        Assert.That(e!.Message, Does.Contain("FileArgument"));
    }

    [Test]
    public void A_fifo_named_like_a_video_is_refused_before_any_tool_opens_it()
    {
        using var folder = new ScratchFolder("fifo");
        string fifo = TestMedia.MakeFifo(folder["x.mp4"]);
        var e = Assert.Throws<InvalidInputException>(() => new ClipDecoder(TinySyntheticSet.Size).Decode(fifo, 2));
        Assert.That(e!.Message, Is.EqualTo($"{fifo}: not a regular file but a FIFO (named pipe); a video must be a file."));
        e = Assert.Throws<InvalidInputException>(() => MediaProbe.Probe(folder.Path));
        Assert.That(e!.Message, Does.Contain("a folder"));
    }

    [Test]
    public void A_tool_that_makes_no_progress_is_stopped_and_the_file_named()
    {
        // ffmpeg opening a FIFO that nobody writes waits forever: what a hung network drive looks like too.
        using var folder = new ScratchFolder("stall");
        string fifo = TestMedia.MakeFifo(folder["hang.mp4"]);
        var e = Assert.Throws<InvalidInputException>(() => ExternalTool.Run(ExternalTool.Ffmpeg,
            ["-nostdin", "-v", "error", "-i", ExternalTool.FileArgument(fifo), "-f", "null", "-"], stallTimeout: TimeSpan.FromSeconds(1)));
        Assert.That(e!.Message, Does.StartWith($"{fifo}: ffmpeg made no progress for 1 s and was stopped"));
    }

    [Test]
    public void A_slow_reader_is_not_mistaken_for_a_hung_tool()
    {
        // The pipe fills and ffmpeg waits on us for far longer than the stall timeout: that is our time, not a stall.
        long total = 0;
        var run = ExternalTool.Run(ExternalTool.Ffmpeg,
            ["-nostdin", "-v", "error", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=16000", "-t", "4", "-f", "f32le", "pipe:1"],
            readStdout: s =>
            {
                var buffer = new byte[65536];
                for (int i = 0; i < 2; i++)
                {
                    Thread.Sleep(1500);
                    total += s.Read(buffer);
                }
                int n;
                while ((n = s.Read(buffer)) > 0) total += n;
            },
            stallTimeout: TimeSpan.FromSeconds(1));
        Assert.That(run.Succeeded, Is.True, run.Stderr);
        Assert.That(total, Is.EqualTo(4 * 16000 * sizeof(float)));
    }

    [Test]
    [Category("Slow")]
    public void Tools_die_with_the_process_that_started_them_even_when_it_is_killed()
    {
        using var folder = new ScratchFolder("orphan");
        // A stand-in ffprobe on PATH that records its pid and then hangs, as ffprobe on a hung drive would.
        Directory.CreateDirectory(folder["bin"]);
        string pidFile = folder["tool.pid"];
        File.WriteAllText(folder["bin/ffprobe"], $"#!/bin/sh\necho $$ > '{pidFile}.tmp'\nmv '{pidFile}.tmp' '{pidFile}'\nexec sleep 300\n");
        File.SetUnixFileMode(folder["bin/ffprobe"], UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        Directory.CreateDirectory(folder["videos"]);
        TestMedia.Garbage(folder["videos/someoneXXXX.000.mp4"]);

        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "exec", Path.Combine(AppContext.BaseDirectory, "deepimpression.dll"), "prepare", "--videos", folder["videos"], "--out", folder["cache"], "--jobs", "1" })
            start.ArgumentList.Add(a);
        start.Environment["PATH"] = folder["bin"] + ":" + Environment.GetEnvironmentVariable("PATH");
        start.Environment["DEEPIMPRESSION_HOME"] = folder["home"];
        using var parent = Process.Start(start)!;
        int tool = 0;
        try
        {
            for (int i = 0; i < 600 && !File.Exists(pidFile) && !parent.HasExited; i++) Thread.Sleep(50);
            Assert.That(File.Exists(pidFile), Is.True, "the stand-in ffprobe never started");
            tool = int.Parse(File.ReadAllText(pidFile).Trim(), System.Globalization.CultureInfo.InvariantCulture);
            Assert.That(IsAlive(tool), Is.True);

            parent.Kill(); // SIGKILL: no handler of ours runs.
            parent.WaitForExit();
            for (int i = 0; i < 200 && IsAlive(tool); i++) Thread.Sleep(50);
            Assert.That(IsAlive(tool), Is.False, "the tool outlived the process that started it");
        }
        finally
        {
            if (!parent.HasExited) parent.Kill(entireProcessTree: true);
            if (tool > 0 && IsAlive(tool)) Process.GetProcessById(tool).Kill();
        }
    }

    private static bool IsAlive(int pid)
    {
        // A zombie (state Z) has died and only waits for its parent to reap it.
        var stat = $"/proc/{pid}/stat";
        if (!File.Exists(stat)) return false;
        try
        {
            var text = File.ReadAllText(stat);
            return text[(text.LastIndexOf(')') + 2)..][0] != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }
}
