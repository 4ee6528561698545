namespace DeepImpression.Train.Data;

/// <summary>Clip file names look like <c>&lt;youtubeID&gt;.&lt;NNN&gt;.mp4</c>; one YouTube video gives several clips.</summary>
internal static class ClipNames
{
    /// <summary>The YouTube ID of a clip: its name up to the first '.' (the whole name if there is none).</summary>
    public static string YouTubeId(string clipName)
    {
        var name = Path.GetFileName(clipName);
        int dot = name.IndexOf('.');
        return dot <= 0 ? name : name[..dot];
    }
}
