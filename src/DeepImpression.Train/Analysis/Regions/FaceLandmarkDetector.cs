using System.Globalization;
using System.Text.Json;
using DeepImpression.Core;
using DeepImpression.Train.Analysis.Rendering;
using DeepImpression.Train.Data.Decoding;

namespace DeepImpression.Train.Analysis.Regions;

/// <summary>Which face detector finds the faces before the landmarks: SSD MobileNet v1 (more accurate) or the tiny
/// face detector (about 4x faster on the CPU).</summary>
public enum FaceDetector
{
    /// <summary>SSD MobileNet v1: finds more faces, slower.</summary>
    Ssd,
    /// <summary>The tiny face detector: about 4x faster on the CPU, misses more small or turned faces.</summary>
    Tiny,
}

/// <summary>
/// Face boxes and 68-point landmarks of frames, from the pretrained networks of the npm package
/// <c>@vladmandic/face-api</c> (MIT; the weights ship inside it), run by Node.js on TensorFlow.js's WebAssembly
/// backend as a child process: <c>face-landmarks.js</c> in <see cref="ScriptFolder"/> reads raw RGB frames on stdin and
/// writes one JSON line per frame. <c>scripts/setup.sh</c> installs Node and the package (<c>npm ci</c>, from the
/// pinned <c>package-lock.json</c>); nothing is downloaded at run time.
/// </summary>
public sealed class FaceLandmarkDetector
{
    /// <summary>Environment variable naming the folder of <c>face-landmarks.js</c> and its <c>node_modules</c>.</summary>
    public const string FolderVariable = "DEEPIMPRESSION_FACE_API";

    private const string Script = "face-landmarks.js";
    private static readonly string RepositoryPath = Path.Combine("src", "DeepImpression.Train", "Analysis", "Regions", "FaceApi");

    /// <summary>A detector that keeps faces scoring at least <paramref name="minimumScore"/>, running the script found in <paramref name="scriptFolder"/> (default: <see cref="LocateScriptFolder"/>).</summary>
    public FaceLandmarkDetector(FaceDetector detector = FaceDetector.Ssd, double minimumScore = 0.5, string? scriptFolder = null)
    {
        if (!(minimumScore is > 0 and < 1)) throw new InvalidInputException($"face score threshold {minimumScore}: must be between 0 and 1.");
        Detector = detector;
        MinimumScore = minimumScore;
        ScriptFolder = scriptFolder ?? LocateScriptFolder();
        CheckInstalled(ScriptFolder);
    }

    /// <summary>Which face detector finds the faces.</summary>
    public FaceDetector Detector { get; }

    /// <summary>Faces scoring below this (0..1) are dropped.</summary>
    public double MinimumScore { get; }

    /// <summary>The folder of <c>face-landmarks.js</c>, <c>package.json</c> and the installed <c>node_modules</c>.</summary>
    public string ScriptFolder { get; }

    /// <summary>The faces of every frame (planar 3 x H x W bytes each, as the decoder gives them), in order.</summary>
    public IReadOnlyList<IReadOnlyList<FaceLandmarks>> Detect(DecodedClip clip, CancellationToken cancellation = default)
    {
        var size = clip.FrameSize;
        var faces = new List<IReadOnlyList<FaceLandmarks>>();
        string? badLine = null;
        var run = ExternalTool.Run("node",
            [Path.Combine(ScriptFolder, Script), size.Width.ToString(CultureInfo.InvariantCulture), size.Height.ToString(CultureInfo.InvariantCulture),
             Detector == FaceDetector.Ssd ? "ssd" : "tiny", MinimumScore.ToString("R", CultureInfo.InvariantCulture)],
            writeStdin: stdin =>
            {
                for (int f = 0; f < clip.FrameCount; f++)
                    stdin.Write(RgbImage.FromPlanar(clip.Frame(f), size.Width, size.Height).Pixels);
            },
            readStdout: stdout =>
            {
                using var reader = new StreamReader(stdout, leaveOpen: true);
                while (reader.ReadLine() is { } line)
                {
                    try
                    {
                        faces.Add(Parse(line));
                    }
                    catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
                    {
                        badLine ??= line.Length > 200 ? line[..200] + "..." : line;
                    }
                }
            },
            cancellation: cancellation);
        if (!run.Succeeded) throw new InvalidInputException($"{clip.Path}: face landmark detection failed ({run.LastStderrLine}).");
        if (badLine is not null) throw new InvalidInputException($"{clip.Path}: face landmark detection gave an unreadable line: {badLine}");
        if (faces.Count != clip.FrameCount)
            throw new InvalidInputException($"{clip.Path}: face landmark detection answered for {faces.Count} of {clip.FrameCount} frames ({run.LastStderrLine}).");
        return faces;
    }

    private static IReadOnlyList<FaceLandmarks> Parse(string line)
    {
        using var json = JsonDocument.Parse(line);
        var faces = new List<FaceLandmarks>();
        foreach (var face in json.RootElement.GetProperty("faces").EnumerateArray())
        {
            var box = face.GetProperty("box").EnumerateArray().Select(v => v.GetDouble()).ToArray();
            var points = face.GetProperty("landmarks").EnumerateArray().Select(p => new PointD(p[0].GetDouble(), p[1].GetDouble())).ToArray();
            if (box.Length != 4 || points.Length != FaceLandmarks.Count) throw new FormatException("a face needs a box of 4 numbers and 68 landmarks.");
            faces.Add(new FaceLandmarks(face.GetProperty("score").GetDouble(), box[0], box[1], box[2], box[3], points));
        }
        return faces;
    }

    /// <summary>
    /// <see cref="FolderVariable"/> if set, else the repository's <c>src/DeepImpression.Train/Analysis/Regions/FaceApi</c>
    /// found above the program's folder or the working folder.
    /// </summary>
    public static string LocateScriptFolder()
    {
        if (Environment.GetEnvironmentVariable(FolderVariable) is { Length: > 0 } configured) return configured;
        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, RepositoryPath);
                if (File.Exists(Path.Combine(candidate, Script))) return candidate;
            }
        }
        throw new InvalidInputException($"face-regions: {Script} not found: run from the repository (it lives in {RepositoryPath}) or set {FolderVariable} to its folder.");
    }

    private static void CheckInstalled(string folder)
    {
        if (!File.Exists(Path.Combine(folder, Script))) throw new InvalidInputException($"{folder}: no {Script} here ({FolderVariable} or the repository's {RepositoryPath}).");
        try
        {
            var version = ExternalTool.Run("node", ["--version"]);
            if (!version.Succeeded) throw new InvalidInputException($"node: does not run ({version.LastStderrLine}); run bash scripts/setup.sh.");
        }
        catch (InvalidInputException e) when (e.Message.Contains("not found on PATH", StringComparison.Ordinal))
        {
            throw new InvalidInputException("node: Node.js is not installed (face-regions runs the face landmark model in it); run bash scripts/setup.sh.");
        }
        foreach (var package in new[] { Path.Combine("@vladmandic", "face-api", "model"), Path.Combine("@tensorflow", "tfjs-backend-wasm", "dist") })
            if (!Directory.Exists(Path.Combine(folder, "node_modules", package)))
                throw new InvalidInputException($"{folder}: the face landmark packages are not installed (no node_modules/{package.Replace('\\', '/')}); run bash scripts/setup.sh.");
    }
}
