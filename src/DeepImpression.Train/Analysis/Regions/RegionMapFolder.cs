using System.Globalization;
using DeepImpression.Core;
using DeepImpression.Core.Serialization;
using DeepImpression.Core.Tensors;
using DeepImpression.Train.Data.Decoding;

namespace DeepImpression.Train.Analysis.Regions;

/// <summary>
/// A folder of region label maps, the input of segment-level occlusion, in a layout any tool can write:
/// <code>
/// legend.json | legend.csv     region id -> name (see RegionLegend)
/// STEM.npz                     "labels": uint8 (H, W), one map for every frame of the video, or (F, H, W), one per
///                              frame; "frames" (optional, int32 or int64, F): the video frame index of each map
///                              (default 0 .. F-1)
/// STEM.png                     one 8-bit map (greyscale or palette) for every frame of the video
/// STEM/N.png                   the map of video frame N (leading zeros allowed: 000057.png)
/// </code>
/// where STEM is the video's file name without its extension (<c>abc.001</c> for <c>abc.001.mp4</c>). Frame
/// indices count the video's frames from 0, as <see cref="ClipDecoder.EvenlySpacedFrames"/> does. Every id in a
/// map must be in the legend and every map must have the size of the frames analysed; a video needs a map for
/// each frame the analysis reads. Each of these problems is one <see cref="InvalidInputException"/> naming the file.
/// </summary>
public sealed class RegionMapFolder
{
    /// <summary>The array of label maps in a <c>STEM.npz</c>.</summary>
    public const string LabelsKey = "labels";
    /// <summary>The optional array of video frame indices in a <c>STEM.npz</c>.</summary>
    public const string FramesKey = "frames";

    private RegionMapFolder(string folder, RegionLegend legend)
    {
        Folder = folder;
        Legend = legend;
    }

    /// <summary>The folder's path.</summary>
    public string Folder { get; }

    /// <summary>The region ids and names every map uses.</summary>
    public RegionLegend Legend { get; }

    /// <summary>Opens <paramref name="folder"/> and reads its legend.</summary>
    public static RegionMapFolder Open(string folder)
    {
        if (!Directory.Exists(folder)) throw new InvalidInputException($"{folder}: no such region map folder.");
        return new RegionMapFolder(folder, RegionLegend.ReadFolder(folder));
    }

    /// <summary>The stem that names a video's maps.</summary>
    public static string StemOf(string video) => Path.GetFileNameWithoutExtension(video);

    /// <summary>The maps of <paramref name="frames"/> (video frame indices) of <paramref name="video"/>, each of
    /// <paramref name="size"/>, checked against the legend.</summary>
    public VideoRegions Load(string video, FrameSize size, IReadOnlyList<int> frames)
    {
        string stem = StemOf(video);
        string npz = Path.Combine(Folder, stem + ".npz"), png = Path.Combine(Folder, stem + ".png"), perFrame = Path.Combine(Folder, stem);
        var found = new[] { npz, png, perFrame }.Where(p => File.Exists(p) || Directory.Exists(p)).ToArray();
        if (found.Length == 0)
            throw new InvalidInputException($"{Folder}: no region maps for {video} (looked for {stem}.npz, {stem}.png and the folder {stem}/).");
        if (found.Length > 1)
            throw new InvalidInputException($"{Folder}: more than one set of region maps for {video} ({string.Join(", ", found.Select(Path.GetFileName))}); keep one.");

        string source = found[0];
        var maps = source == npz ? FromNpz(npz, size, frames) : source == png ? FromPng(png, size, frames) : FromPngFolder(perFrame, size, frames);
        return new VideoRegions(source, size, frames, maps);
    }

    private byte[][] FromNpz(string path, FrameSize size, IReadOnlyList<int> wanted)
    {
        NpyArray labels;
        NpyArray? indices = null;
        using (var archive = NpzArchive.Open(path))
        {
            if (!archive.Contains(LabelsKey)) throw new InvalidInputException($"{path}: no '{LabelsKey}' array (uint8, (H, W) or (F, H, W)).");
            labels = archive.Read(LabelsKey);
            if (archive.Contains(FramesKey)) indices = archive.Read(FramesKey);
        }
        if (labels.DataType != NpyDataType.UInt8 || labels.Shape.Rank is not (2 or 3))
            throw new InvalidInputException($"{path}: '{LabelsKey}' is {labels}; expected uint8 of shape (H, W) or (F, H, W).");
        var shape = labels.Shape;
        int h = shape[-2], w = shape[-1];
        CheckSize(path, w, h, size);
        var ids = labels.AsUInt8();
        int plane = w * h;
        if (shape.Rank == 2)
        {
            CheckIds(path, ids, w, frame: null);
            return [.. wanted.Select(_ => ids)];
        }

        int count = shape[0];
        long[] frameOf = indices is null ? [.. Enumerable.Range(0, count).Select(i => (long)i)] : ReadIndices(path, indices, count);
        var at = new Dictionary<long, int>();
        for (int i = 0; i < count; i++)
            if (!at.TryAdd(frameOf[i], i)) throw new InvalidInputException($"{path}: '{FramesKey}' names frame {frameOf[i]} twice.");
        var maps = new byte[wanted.Count][];
        for (int i = 0; i < wanted.Count; i++)
        {
            if (!at.TryGetValue(wanted[i], out int slot)) throw Missing(path, wanted[i], frameOf);
            maps[i] = ids.AsSpan(slot * plane, plane).ToArray();
            CheckIds(path, maps[i], w, wanted[i]);
        }
        return maps;
    }

    private static long[] ReadIndices(string path, NpyArray indices, int count)
    {
        if (indices.DataType is not (NpyDataType.Int32 or NpyDataType.Int64) || indices.Shape.Rank != 1 || indices.Count != count)
            throw new InvalidInputException($"{path}: '{FramesKey}' is {indices}; expected int32 or int64 of shape ({count}), one video frame index per map.");
        var values = indices.ToInt64();
        if (values.FirstOrDefault(v => v < 0) is < 0 and var negative) throw new InvalidInputException($"{path}: '{FramesKey}' holds the negative frame index {negative}.");
        return values;
    }

    private byte[][] FromPng(string path, FrameSize size, IReadOnlyList<int> wanted)
    {
        var (ids, w, h) = LabelPng.Read(path);
        CheckSize(path, w, h, size);
        CheckIds(path, ids, w, frame: null);
        return [.. wanted.Select(_ => ids)];
    }

    private byte[][] FromPngFolder(string folder, FrameSize size, IReadOnlyList<int> wanted)
    {
        var files = new Dictionary<long, string>();
        foreach (var file in Directory.EnumerateFiles(folder, "*.png"))
        {
            string name = Path.GetFileNameWithoutExtension(file);
            if (!long.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out long index))
                throw new InvalidInputException($"{file}: a per-frame region map must be named after its video frame index, e.g. 000057.png.");
            if (!files.TryAdd(index, file)) throw new InvalidInputException($"{file}: a second map for frame {index} (also {Path.GetFileName(files[index])}).");
        }
        var maps = new byte[wanted.Count][];
        for (int i = 0; i < wanted.Count; i++)
        {
            if (!files.TryGetValue(wanted[i], out var file)) throw Missing(folder, wanted[i], files.Keys);
            var (ids, w, h) = LabelPng.Read(file);
            CheckSize(file, w, h, size);
            CheckIds(file, ids, w, frame: null);
            maps[i] = ids;
        }
        return maps;
    }

    private static void CheckSize(string path, int width, int height, FrameSize size)
    {
        if (width != size.Width || height != size.Height)
            throw new InvalidInputException($"{path}: region map is {width}x{height}, the frames analysed are {size}; make maps at {size} (or analyse at {width}x{height} with --size).");
    }

    private void CheckIds(string path, ReadOnlySpan<byte> ids, int width, int? frame)
    {
        if (Legend.FirstUnknown(ids) is not { } unknown) return;
        string where = string.Create(CultureInfo.InvariantCulture, $"x {unknown.Position % width}, y {unknown.Position / width}");
        string which = frame is { } f ? $"frame {f}, " : "";
        throw new InvalidInputException($"{path}: region id {unknown.Id} ({which}{where}) is not in the legend {Legend.Source} (ids {string.Join(", ", Legend.Ids)}).");
    }

    private static InvalidInputException Missing(string path, long frame, IEnumerable<long> present)
    {
        var have = present.Order().ToArray();
        string covered = have.Length == 0 ? "none" : string.Create(CultureInfo.InvariantCulture, $"{have.Length} frames, {have[0]} to {have[^1]}");
        return new InvalidInputException($"{path}: no region map for frame {frame} (maps cover {covered}); make a map for every frame the analysis reads (--frames K reads K evenly spaced frames).");
    }

    /// <summary>
    /// Writes the maps of one video as <c>STEM.npz</c> in <paramref name="folder"/>: "labels" (F, H, W) uint8 from
    /// <paramref name="labels"/> (F maps of <paramref name="size"/>, one after another) and "frames" (F) int32,
    /// compressed, atomically. Returns the file's path.
    /// </summary>
    public static string Write(string folder, string video, FrameSize size, IReadOnlyList<int> frames, byte[] labels)
    {
        if (frames.Count == 0 || labels.Length != (long)frames.Count * size.Width * size.Height)
            throw new ArgumentException($"{frames.Count} maps of {size} need {(long)frames.Count * size.Width * size.Height} bytes, got {labels.Length}.");
        Directory.CreateDirectory(folder);
        string path = Path.Combine(folder, StemOf(video) + ".npz");
        NpzFile.Write(path,
        [
            (LabelsKey, new NpyArray(labels, new Shape(frames.Count, size.Height, size.Width))),
            (FramesKey, new NpyArray(frames.ToArray(), new Shape(frames.Count))),
        ], compress: true);
        return path;
    }
}
