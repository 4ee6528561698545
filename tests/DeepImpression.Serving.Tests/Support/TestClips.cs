using System.Globalization;
using DeepImpression.Train.Data.Decoding;
using DeepImpression.Train.Synthetic;

namespace DeepImpression.Serving.Tests.Support;

/// <summary>
/// Media files for the tests, made with ffmpeg: a synthetic clip of the project's own generator, and small files with
/// one property each (no sound, too short, a still image, ...). Small frame sizes and rates keep the analyses short:
/// the server scales every frame to 456 x 256 anyway.
/// </summary>
internal static class TestClips
{
    private static readonly string Folder = TestFolders.Fresh("clips");

    private static readonly Lazy<string> SyntheticClip = new(() =>
    {
        var report = SyntheticDataSet.Generate(new SyntheticDataSetOptions
        {
            OutputDirectory = Path.Combine(Folder, "synthetic"),
            Clips = 1,
            Seed = 5,
            Seconds = 4,
            FrameSize = new FrameSize(64, 36),
            FramesPerSecond = 10,
            Jobs = 1,
        });
        return SyntheticDataSet.PathOf(report.Directory, report.Clips[0]);
    });

    /// <summary>A 4-s synthetic clip (H.264 + AAC mp4, 10 fps): the cartoon speaker of <see cref="SyntheticDataSet"/>.</summary>
    public static string Synthetic => SyntheticClip.Value;

    /// <summary>
    /// A clip from ffmpeg's test sources. <paramref name="container"/> picks the format: <c>mp4</c> (H.264 + AAC),
    /// <c>webm</c> (VP8 + Opus written to a pipe, as a browser streams it, so the container has no cues) or
    /// <c>fmp4</c> (fragmented H.264 + AAC written to a pipe, the layout of Safari's MediaRecorder).
    /// </summary>
    public static string Make(string name, double seconds, bool sound = true, string container = "mp4", int rate = 10, string size = "96x64")
    {
        string path = Path.Combine(Folder, name);
        if (File.Exists(path)) return path;
        string length = seconds.ToString(CultureInfo.InvariantCulture);
        var args = new List<string> { "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i", $"testsrc=size={size}:rate={rate}:duration={length}" };
        if (sound) args.AddRange(["-f", "lavfi", "-i", $"sine=frequency=330:sample_rate=48000:duration={length}"]);
        if (container == "webm")
        {
            args.AddRange(["-c:v", "libvpx", "-deadline", "realtime", "-b:v", "200k"]);
            if (sound) args.AddRange(["-c:a", "libopus"]);
            args.AddRange(["-f", "webm", "pipe:1"]);
        }
        else if (container == "fmp4")
        {
            args.AddRange(["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-movflags", "frag_keyframe+empty_moov+default_base_moof"]);
            if (sound) args.AddRange(["-c:a", "aac"]);
            args.AddRange(["-f", "mp4", "pipe:1"]);
        }
        else
        {
            args.AddRange(["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-movflags", "+faststart"]);
            if (sound) args.AddRange(["-c:a", "aac"]);
            args.AddRange(["-f", "mp4", path]);
        }
        using var output = container is "webm" or "fmp4" ? File.Create(path) : null;
        var run = ExternalTool.Run(ExternalTool.Ffmpeg, args, readStdout: output is null ? null : stdout => stdout.CopyTo(output));
        Assert.That(run.Succeeded, Is.True, run.Stderr);
        return path;
    }

    /// <summary>A PNG picture (one frame, no sound).</summary>
    public static string Picture()
    {
        string path = Path.Combine(Folder, "picture.png");
        var run = ExternalTool.Run(ExternalTool.Ffmpeg, ["-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=96x64", "-frames:v", "1", path]);
        Assert.That(run.Succeeded, Is.True, run.Stderr);
        return path;
    }

    /// <summary>A WAV file: sound, no picture.</summary>
    public static string Sound()
    {
        string path = Path.Combine(Folder, "sound.wav");
        var run = ExternalTool.Run(ExternalTool.Ffmpeg, ["-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i", "sine=frequency=330:duration=5", path]);
        Assert.That(run.Succeeded, Is.True, run.Stderr);
        return path;
    }

    /// <summary>An mp4 whose header is intact but whose media data stops at <paramref name="fraction"/> of the file.</summary>
    public static string CutShort(double fraction)
    {
        string source = Make("whole-for-cut.mp4", seconds: 6);
        string path = Path.Combine(Folder, "cut-short.mp4");
        var bytes = File.ReadAllBytes(source);
        File.WriteAllBytes(path, bytes[..(int)(bytes.Length * fraction)]);
        return path;
    }

    /// <summary><paramref name="bytes"/> random bytes.</summary>
    public static string Noise(string name, int bytes)
    {
        string path = Path.Combine(Folder, name);
        var data = new byte[bytes];
        new Random(3).NextBytes(data);
        File.WriteAllBytes(path, data);
        return path;
    }
}
