using System.Diagnostics;
using DeepImpression.Train.Data.Decoding;

namespace DeepImpression.Train.Tests.Data;

/// <summary>Small media files with a known defect, made with ffmpeg's built-in sources.</summary>
internal static class TestMedia
{
    /// <summary>An mp4 with video and, when <paramref name="withAudio"/>, a sine tone.</summary>
    public static string Make(string path, double seconds, bool withAudio, string size = "64x36")
    {
        var args = new List<string> { "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i", $"testsrc=size={size}:rate=30" };
        if (withAudio) args.AddRange(["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100"]);
        args.AddRange(["-t", seconds.ToString(System.Globalization.CultureInfo.InvariantCulture), "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"]);
        args.AddRange(withAudio ? ["-c:a", "aac"] : ["-an"]);
        args.Add(path);
        var run = ExternalTool.Run(ExternalTool.Ffmpeg, args);
        Assert.That(run.Succeeded, Is.True, run.Stderr);
        return path;
    }

    /// <summary>A file of random bytes with an mp4 name.</summary>
    public static string Garbage(string path, int bytes = 20_000)
    {
        var data = new byte[bytes];
        new Random(5).NextBytes(data);
        File.WriteAllBytes(path, data);
        return path;
    }

    /// <summary>The first <paramref name="fraction"/> of <paramref name="source"/>, as a download cut short leaves it.</summary>
    public static string Truncated(string source, string path, double fraction)
    {
        var bytes = File.ReadAllBytes(source);
        File.WriteAllBytes(path, bytes[..(int)(bytes.Length * fraction)]);
        return path;
    }

    /// <summary>A named pipe (FIFO) at <paramref name="path"/>: opening it for reading waits for a writer.</summary>
    public static string MakeFifo(string path)
    {
        using var mkfifo = Process.Start(new ProcessStartInfo("mkfifo", [path]) { UseShellExecute = false })!;
        mkfifo.WaitForExit();
        Assert.That(mkfifo.ExitCode, Is.Zero, "mkfifo failed");
        return path;
    }
}
