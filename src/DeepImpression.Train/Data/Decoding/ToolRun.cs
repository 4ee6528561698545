namespace DeepImpression.Train.Data.Decoding;

/// <summary>What an external tool (ffmpeg, ffprobe) left behind: its exit code and its diagnostic output.</summary>
internal sealed record ToolRun(int ExitCode, string Stderr)
{
    public bool Succeeded => ExitCode == 0;

    /// <summary>The last non-empty stderr line: ffmpeg puts the reason for a failure there.</summary>
    public string LastStderrLine
    {
        get
        {
            var lines = Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            return lines.Length == 0 ? $"exit code {ExitCode}" : lines[^1];
        }
    }
}
