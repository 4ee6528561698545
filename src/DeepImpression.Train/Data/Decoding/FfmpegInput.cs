namespace DeepImpression.Train.Data.Decoding;

/// <summary>What the streaming readers share about handing a file to ffmpeg and judging what came back.</summary>
internal static class FfmpegInput
{
    /// <summary>A decode that ends this much short of the length the container declares means the file was cut off
    /// (the rule of <see cref="ClipDecoder"/>).</summary>
    public const double TruncationTolerance = 0.9;

    /// <summary>The file as ffmpeg's <c>-i</c> argument: an absolute <c>file:</c> URL, so that no name (<c>-x.mp4</c>,
    /// <c>pipe:1</c>, <c>concat:a|b</c>) can be read as an option or another protocol.</summary>
    public static string Path(string path) => "file:" + System.IO.Path.GetFullPath(path);
}
