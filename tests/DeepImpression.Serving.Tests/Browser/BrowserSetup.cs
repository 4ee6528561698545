using System.Diagnostics;
using DeepImpression.Serving.Tests.Support;
using DeepImpression.Train.Data.Decoding;

namespace DeepImpression.Serving.Tests.Browser;

/// <summary>
/// What the real-browser tests need from Debian: the <c>chromium</c> package (launched by its executable path; no
/// browser is downloaded) and, for the fake camera, the face photograph <c>astronaut.png</c> of
/// <c>python3-skimage</c>, made into a Y4M clip by ffmpeg. <c>scripts/setup.sh</c> installs both.
/// </summary>
internal static class BrowserSetup
{
    private static readonly string[] ChromiumPaths = ["/usr/lib/chromium/chromium", "/usr/bin/chromium"];

    /// <summary>Debian's Chromium (the inner binary skips the wrapper script's warnings).</summary>
    public static string Chromium =>
        ChromiumPaths.FirstOrDefault(File.Exists)
        ?? throw new AssertionException("Debian's chromium is not installed (looked for " + string.Join(", ", ChromiumPaths) + "): run scripts/setup.sh.");

    private static readonly Lazy<string> Camera = new(() =>
    {
        string picture = Astronaut();
        string path = Path.Combine(TestFolders.Fresh("camera"), "astronaut.y4m");
        // 3 s at 640 x 480 and 15 fps (Chromium loops it): the photograph centred, as a webcam would frame a face.
        var run = ExternalTool.Run(ExternalTool.Ffmpeg,
            ["-nostdin", "-v", "error", "-y", "-loop", "1", "-i", ExternalTool.FileArgument(picture), "-t", "3", "-r", "15",
             "-vf", "scale=480:480,pad=640:480:80:0:color=0x2b3345,format=yuv420p", "-f", "yuv4mpegpipe", path]);
        Assert.That(run.Succeeded, Is.True, run.Stderr);
        return path;
    });

    /// <summary>The fake camera's Y4M clip.</summary>
    public static string CameraClip => Camera.Value;

    /// <summary>The path of skimage's <c>astronaut.png</c>, as <c>dpkg -L python3-skimage</c> lists it.</summary>
    private static string Astronaut()
    {
        var start = new ProcessStartInfo("dpkg", ["-L", "python3-skimage"]) { RedirectStandardOutput = true, RedirectStandardError = true };
        string listing;
        try
        {
            using var dpkg = Process.Start(start)!;
            listing = dpkg.StandardOutput.ReadToEnd();
            dpkg.WaitForExit();
        }
        catch (System.ComponentModel.Win32Exception)
        {
            throw new AssertionException("dpkg is not available: the browser tests need Debian's python3-skimage for the fake camera's picture.");
        }
        return listing.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.EndsWith("/skimage/data/astronaut.png", StringComparison.Ordinal) && File.Exists(l))
               ?? throw new AssertionException("python3-skimage's astronaut.png was not found: run scripts/setup.sh.");
    }
}
