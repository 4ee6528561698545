using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using DeepImpression.Core;
using DeepImpression.Core.Serialization;
using DeepImpression.Train.Analysis.Regions;
using DeepImpression.Train.Data;
using DeepImpression.Train.Data.Labels;

namespace DeepImpression.Train.Synthetic;

/// <summary>
/// Writes a synthetic data set laid out like the second ChaLearn release: <c>train/</c>, <c>validation/</c> and
/// <c>test/</c> folders of <c>&lt;youtubeID&gt;.&lt;NNN&gt;.mp4</c> clips, the labels of each split in
/// <c>annotation_training.pkl</c>, <c>annotation_validation.pkl</c> and <c>annotation_test.pkl</c> (official format),
/// <c>synthetic.json</c> with the settings and every clip's trait scores and cues (see <see cref="SyntheticCues"/>), and
/// <c>regions/</c> with the ground-truth region map of every frame of every clip and its legend (see
/// <see cref="RegionMapFolder"/>). Deterministic for a seed. A rerun with the same settings skips the clips already
/// written.
/// </summary>
public static class SyntheticDataSet
{
    /// <summary>The manifest in the set's folder: the settings it was made with, so that a second run can resume or refuse.</summary>
    public const string ManifestName = "synthetic.json";

    /// <summary>The folder of the ground-truth region maps, inside the set's folder.</summary>
    public const string RegionsFolder = "regions";

    /// <summary>Shortest clip allowed: one training window of audio must fit.</summary>
    public const double MinimumSeconds = 3.2;

    /// <summary>The annotation pickle written for each split, as ChaLearn names them.</summary>
    public static readonly IReadOnlyDictionary<string, string> LabelFiles = new Dictionary<string, string>
    {
        [SyntheticPlan.Train] = "annotation_training.pkl",
        [SyntheticPlan.Validation] = "annotation_validation.pkl",
        [SyntheticPlan.Test] = "annotation_test.pkl",
    };

    /// <summary>Writes the clips, labels and region maps of <paramref name="options"/>; clips already there are kept, so a stopped run resumes.</summary>
    /// <param name="options">Where, how many, seed, size, variant.</param>
    /// <param name="progress">Reports clips done out of all.</param>
    /// <param name="cancellation">Stops between clips.</param>
    public static SyntheticDataSetReport Generate(SyntheticDataSetOptions options, IProgress<(int Done, int Total)>? progress = null, CancellationToken cancellation = default)
    {
        Validate(options);
        var started = DateTime.UtcNow;
        var clips = SyntheticPlan.Make(options.Clips, options.Seed, options.Variant);
        var manifest = SyntheticManifest.From(options, clips);
        string root = options.OutputDirectory;
        Directory.CreateDirectory(root);
        string manifestPath = Path.Combine(root, ManifestName);
        if (File.Exists(manifestPath))
        {
            var existing = SyntheticManifest.Read(manifestPath);
            if (!existing.SameSettings(manifest))
                throw new InvalidInputException($"{root}: holds a synthetic set made with other settings ({existing.Describe()}); use another --out folder or delete it.");
        }
        else
        {
            AtomicFile.WriteText(manifestPath, w => w.Write(JsonSerializer.Serialize(manifest, SyntheticManifest.Json)));
        }

        foreach (var split in LabelFiles.Keys) Directory.CreateDirectory(Path.Combine(root, split));
        string regions = Path.Combine(root, RegionsFolder);
        Directory.CreateDirectory(regions);
        new RegionLegend(SyntheticRegions.Legend(options.Variant), Path.Combine(regions, RegionLegend.JsonName)).WriteJson(regions);
        var todo = clips.Where(c => !File.Exists(PathOf(root, c)) || !File.Exists(RegionMapPath(root, c))).ToArray();
        int done = 0;
        progress?.Report((0, todo.Length));
        Parallel.ForEach(todo, new ParallelOptions { MaxDegreeOfParallelism = options.Jobs, CancellationToken = cancellation }, clip =>
        {
            SyntheticClipEncoder.Encode(clip, PathOf(root, clip), regions, options.FrameSize, options.FramesPerSecond, options.Seconds, cancellation);
            progress?.Report((Interlocked.Increment(ref done), todo.Length));
        });

        foreach (var (split, file) in LabelFiles)
        {
            var members = clips.Where(c => c.Split == split).ToArray();
            var labels = new LabelSet(
                members.ToDictionary(c => c.Name, c => c.Labels, StringComparer.Ordinal),
                members.ToDictionary(c => c.Name, c => c.Interview, StringComparer.Ordinal),
                file);
            AnnotationFiles.WritePickle(Path.Combine(root, file), labels);
        }

        return new SyntheticDataSetReport(root, clips, todo.Length, clips.Count - todo.Length, DateTime.UtcNow - started);
    }

    /// <summary>The video file of <paramref name="clip"/> in the set at <paramref name="root"/>.</summary>
    public static string PathOf(string root, SyntheticClipSpec clip) => Path.Combine(root, clip.Split, clip.Name);

    /// <summary>The ground-truth region maps of <paramref name="clip"/>.</summary>
    public static string RegionMapPath(string root, SyntheticClipSpec clip) =>
        Path.Combine(root, RegionsFolder, RegionMapFolder.StemOf(clip.Name) + ".npz");

    private static void Validate(SyntheticDataSetOptions o)
    {
        if (o.Clips <= 0) throw new InvalidInputException($"--clips {o.Clips}: must be at least 1.");
        if (!(o.Seconds >= MinimumSeconds && o.Seconds <= 600))
            throw new InvalidInputException(string.Create(CultureInfo.InvariantCulture, $"--seconds {o.Seconds}: must be from {MinimumSeconds} (one {ClipFormat.TrainingAudioSamples}-sample training window) to 600."));
        if (o.FramesPerSecond is <= 0 or > 120) throw new InvalidInputException($"frames per second {o.FramesPerSecond}: must be from 1 to 120.");
        if (o.Jobs <= 0) throw new InvalidInputException($"--jobs {o.Jobs}: must be at least 1.");
    }
}

/// <summary>What a <see cref="SyntheticDataSet.Generate"/> run did.</summary>
public sealed record SyntheticDataSetReport(string Directory, IReadOnlyList<SyntheticClipSpec> Clips, int Encoded, int AlreadyPresent, TimeSpan Elapsed)
{
    /// <summary>How many clips of split <paramref name="split"/>.</summary>
    public int Count(string split) => Clips.Count(c => c.Split == split);
}

/// <summary><c>synthetic.json</c>: the settings of a synthetic set and every clip's ground truth.</summary>
internal sealed record SyntheticManifest(
    [property: JsonPropertyName("format")] string Format,
    [property: JsonPropertyName("seed")] ulong Seed,
    [property: JsonPropertyName("clipCount")] int ClipCount,
    [property: JsonPropertyName("seconds")] double Seconds,
    [property: JsonPropertyName("width")] int Width,
    [property: JsonPropertyName("height")] int Height,
    [property: JsonPropertyName("framesPerSecond")] int FramesPerSecond,
    [property: JsonPropertyName("clips")] IReadOnlyList<SyntheticManifestClip> Clips,
    [property: JsonPropertyName("variant"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Variant = null)
{
    public const string FormatName = "deepimpression-synthetic-v1";

    public static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    public static SyntheticManifest From(SyntheticDataSetOptions o, IReadOnlyList<SyntheticClipSpec> clips) =>
        new(FormatName, o.Seed, o.Clips, o.Seconds, o.FrameSize.Width, o.FrameSize.Height, o.FramesPerSecond,
            clips.Select(c => new SyntheticManifestClip(c.Name, c.Split, c.Scores, c.Cues, c.Labels.ToArray(), c.Interview)).ToArray(),
            // Absent for the standard variant, so that its manifest is what it was before variants existed.
            o.Variant == SyntheticVariant.Standard ? null : SyntheticVariants.Name(o.Variant));

    /// <summary>The variant's name; a manifest without one is of the standard variant.</summary>
    [JsonIgnore]
    public string VariantName => Variant ?? SyntheticVariants.Name(SyntheticVariant.Standard);

    public static SyntheticManifest Read(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<SyntheticManifest>(File.ReadAllText(path)) is { Format: FormatName } m
                ? m
                : throw new InvalidInputException($"{path}: not a synthetic data set manifest.");
        }
        catch (JsonException e)
        {
            throw new InvalidInputException($"{path}: not a synthetic data set manifest ({e.Message}).");
        }
    }

    public bool SameSettings(SyntheticManifest other) =>
        Seed == other.Seed && ClipCount == other.ClipCount && Seconds.Equals(other.Seconds) && Width == other.Width
        && Height == other.Height && FramesPerSecond == other.FramesPerSecond && VariantName == other.VariantName;

    public string Describe() => string.Create(CultureInfo.InvariantCulture, $"{ClipCount} clips, seed {Seed}, {Seconds} s, {Width}x{Height}, {FramesPerSecond} fps, {VariantName} cues");
}

internal sealed record SyntheticManifestClip(
    [property: JsonPropertyName("clip")] string Clip,
    [property: JsonPropertyName("split")] string Split,
    [property: JsonPropertyName("scores")] double[] Scores,
    [property: JsonPropertyName("cues")] SyntheticCues Cues,
    [property: JsonPropertyName("labels")] float[] Labels,
    [property: JsonPropertyName("interview")] float Interview);
