using System.CommandLine;
using System.Globalization;
using DeepImpression.Core;
using DeepImpression.Train.Data.Cache;
using DeepImpression.Train.Data.Decoding;
using DeepImpression.Train.Data.Labels;

namespace DeepImpression.Train.Commands;

/// <summary>
/// <c>deepimpression prepare --videos DIR --labels FILE --out CACHE [--frames K]</c>: decodes a split's clips into a
/// clip cache once, so that training never decodes video.
/// </summary>
internal static class PrepareCommand
{
    private const int ShownSkipped = 20;

    public static Command Create()
    {
        var videos = new Option<string?>("--videos")
        {
            Description = "Folder searched recursively for the split's *.mp4 clips (matched to labels by file name). Links to folders are followed; " +
                          "each real folder is searched once.",
        };
        var labels = new Option<string?>("--labels")
        {
            Description = "The split's labels (annotation_*.pkl or CSV). Labelled clips without a video and videos without a label are skipped and listed. " +
                          "Without it every video is cached without targets (for prediction only).",
        };
        var output = new Option<string>("--out") { Description = "Cache folder; it can hold several splits, and a rerun skips clips already cached.", Required = true };
        var frames = new Option<int>("--frames")
        {
            Description = "Frames kept per clip, evenly spaced. The default 32 costs about 12.2 MB per 15-s clip on disk " +
                          "(32 x 456 x 256 x 3 bytes = 11.2 MB of frames + 0.96 MB of float audio); the 6,000 training clips about 73 GB.",
            DefaultValueFactory = _ => ClipPreparer.DefaultFramesPerClip,
        };
        var split = new Option<string?>("--split") { Description = "Split name stored with the clips (default: from the label file or folder name: train, validation or test)." };
        var jobs = new Option<int>("--jobs") { Description = "Clips decoded at the same time.", DefaultValueFactory = _ => Math.Max(1, Environment.ProcessorCount) };
        var size = new Option<string>("--frame-size") { Description = "Cached frame size (the network reads 456x256; smaller only for experiments).", DefaultValueFactory = _ => "456x256" };
        var repair = new Option<bool>("--repair")
        {
            Description = "Drop the index entries of a damaged cache (a truncated shard, a corrupt index line) so that their clips are decoded again; " +
                          "alone, only repairs; with --videos, repairs and then prepares.",
        };

        var command = new Command("prepare", "Decode clips (audio at 16 kHz, K frames at 456 x 256) into a memory-mapped clip cache for training and evaluation.");
        foreach (var o in new Option[] { videos, labels, output, frames, split, jobs, size, repair }) command.Options.Add(o);
        command.SetAction((parse, cancellation) =>
        {
            string cacheDir = parse.GetValue(output)!;
            string? videosDir = parse.GetValue(videos);
            if (videosDir is null)
            {
                if (!parse.GetValue(repair)) throw new InvalidInputException("prepare: --videos is required (or --repair alone, to repair a damaged cache).");
                var notes = ClipCacheWriter.Repair(cacheDir);
                foreach (var note in notes) Console.WriteLine($"note: {note}");
                using var repaired = ClipCache.Open(cacheDir);
                Console.WriteLine($"{cacheDir}: {(notes.Count == 0 ? "nothing to repair" : "repaired")}; it holds {repaired.Count} clips. Run prepare with --videos to decode the clips it lacks.");
                return Task.FromResult(0);
            }
            string? labelsPath = parse.GetValue(labels);
            var labelSet = labelsPath is null ? null : AnnotationFiles.Read(labelsPath);
            string splitName = parse.GetValue(split)
                               ?? (labelsPath is null ? null : ClipPreparer.GuessSplit(labelsPath))
                               ?? ClipPreparer.GuessSplit(videosDir)
                               ?? "all";
            var request = new PrepareRequest
            {
                VideosDirectory = videosDir,
                CacheDirectory = cacheDir,
                Repair = parse.GetValue(repair),
                Labels = labelSet,
                Split = splitName,
                FramesPerClip = parse.GetValue(frames),
                Jobs = parse.GetValue(jobs),
                FrameSize = FrameSize.Parse(parse.GetValue(size)!, "--frame-size"),
            };
            var report = ConsoleProgress.Run($"prepare {splitName}",
                progress => ClipPreparer.Run(request, new Progress(progress), cancellation));
            return Task.FromResult(Print(report, splitName));
        });
        return command;
    }

    internal static int Print(PrepareReport report, string split)
    {
        foreach (var note in report.Notes) Console.WriteLine($"note: {note}");
        if (report.Skipped.Count > 0)
        {
            // The whole list goes to a file: pointing --videos at a folder of several splits skips many clips.
            string listPath = Path.Combine(report.CacheDirectory, $"skipped-{split}.txt");
            File.WriteAllLines(listPath, report.Skipped.Select(s => $"{s.Clip}\t{s.Reason}"));
            Console.WriteLine($"skipped {report.Skipped.Count} clip(s) (all listed in {listPath}):");
            foreach (var s in report.Skipped.Take(ShownSkipped)) Console.WriteLine($"  {s.Clip}: {s.Reason}");
            if (report.Skipped.Count > ShownSkipped) Console.WriteLine($"  ... and {report.Skipped.Count - ShownSkipped} more");
        }
        using (var cache = ClipCache.Open(report.CacheDirectory))
        {
            long bytes = Directory.EnumerateFiles(report.CacheDirectory).Sum(f => new FileInfo(f).Length);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"prepare {split}: {report.Added} added, {report.AlreadyCached} already cached, {report.Skipped.Count} skipped; " +
                $"{report.CacheDirectory} holds {cache.Count} clips ({string.Join(", ", cache.SplitNames.Select(n => $"{n} {cache.Split(n).Count}"))}), {bytes / 1e6:0.0} MB."));
        }
        if (report.Usable == 0)
        {
            Console.Error.WriteLine($"error: no usable clip for split '{split}'.");
            return CommandErrors.Failure;
        }
        return 0;
    }

    private sealed class Progress(IProgress<(int, int)> inner) : IProgress<PrepareProgress>
    {
        public void Report(PrepareProgress value) => inner.Report((value.Done, value.Total));
    }
}
