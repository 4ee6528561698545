using System.Globalization;
using DeepImpression.Core;
using DeepImpression.Train.Data.Decoding;

namespace DeepImpression.Train.Serving;

/// <summary>
/// How long one stream of a media file lasts and how many packets it has, measured from its packet timestamps with
/// ffprobe. Unlike the container's declared duration this exists for every file (a browser's MediaRecorder WebM
/// declares none) and cannot claim less than the file holds.
/// </summary>
internal readonly record struct StreamExtent(double Seconds, long Packets)
{
    /// <summary>Measures the stream <paramref name="selector"/> (<c>v:0</c>, <c>a:0</c>) of <paramref name="path"/>.</summary>
    public static StreamExtent Measure(string path, string selector, CancellationToken cancellation)
    {
        double first = double.PositiveInfinity, end = double.NegativeInfinity;
        long packets = 0;
        var run = ExternalTool.Run(ExternalTool.Ffprobe,
            ["-v", "error", "-select_streams", selector, "-show_entries", "packet=pts_time,dts_time,duration_time", "-of", "csv=p=0", "-i", ExternalTool.InputFile(path)],
            readStdout: stdout =>
            {
                using var reader = new StreamReader(stdout, leaveOpen: true);
                while (reader.ReadLine() is { } line)
                {
                    var fields = line.Split(',');
                    double? time = Number(fields, 0) ?? Number(fields, 1);
                    if (time is not { } t) continue;
                    packets++;
                    first = Math.Min(first, t);
                    end = Math.Max(end, t + (Number(fields, 2) ?? 0));
                }
            },
            cancellation: cancellation);
        if (!run.Succeeded) throw new InvalidInputException($"{path}: unreadable stream {selector} ({run.LastStderrLine}).");
        return packets == 0 ? new StreamExtent(0, 0) : new StreamExtent(Math.Max(0, end - first), packets);
    }

    private static double? Number(string[] fields, int index) =>
        index < fields.Length && double.TryParse(fields[index], NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v) ? v : null;
}
