using DeepImpression.Train.Data.Labels;

namespace DeepImpression.Train.Serving;

// The JSON the demo's API answers with (camelCase on the wire). The page in wwwroot/app.js reads exactly these.

/// <summary>Five trait levels in [0, 1] by name.</summary>
public sealed record TraitLevels(float Extraversion, float Agreeableness, float Conscientiousness, float Neuroticism, float Openness)
{
    /// <summary>The same values as <paramref name="scores"/>.</summary>
    public static TraitLevels From(TraitScores scores) =>
        new(scores.Extraversion, scores.Agreeableness, scores.Conscientiousness, scores.Neuroticism, scores.Openness);
}

/// <summary>One trait of a result, with the words for its poles.</summary>
public sealed record TraitResult(string Key, string Name, float Score, string High, string Low);

/// <summary>A job profile or reference person; <c>distance</c> is set where it is compared with a result.</summary>
public sealed record ProfileResult(string Name, string Kind, string Source, bool Illustrative, TraitLevels Scores, double? Distance)
{
    /// <summary>The contract form of <paramref name="profile"/>.</summary>
    public static ProfileResult From(TraitProfile profile, double? distance = null) =>
        new(profile.Name, ProfileKinds.Name(profile.Kind), profile.Source, profile.Illustrative, TraitLevels.From(profile.Scores), distance);
}

/// <summary>What the analysed upload held.</summary>
public sealed record MediaResult(long Bytes, double Seconds, string? VideoCodec, string? AudioCodec);

/// <summary>Where the time of one analysis went, in milliseconds.</summary>
public sealed record TimingsResult(double ReceiveMs, double ProbeMs, double QueueMs, double PredictMs, double TotalMs);

/// <summary>
/// The occlusion heat map of the user's own clip ("what drove this?"): an image (URL or data: URL) of the trait
/// changes overlaid on a frame, and a caption. Reserved for the occlusion analysis; the server sends null until it is
/// wired in and <see cref="CapabilitiesResult.Occlusion"/> is true.
/// </summary>
public sealed record OcclusionResult(string ImageUrl, string Caption);

/// <summary>The answer to <c>POST /api/analyze</c>.</summary>
public sealed record AnalysisResponse(
    string RequestId,
    IReadOnlyList<TraitResult> Traits,
    TraitLevels Scores,
    IReadOnlyList<ProfileResult> ClosestJobs,
    IReadOnlyList<ProfileResult> ClosestPeople,
    MediaResult Media,
    TimingsResult Timings,
    string Notice,
    OcclusionResult? Occlusion);

/// <summary>The analysis queue as <c>/api/health</c> shows it.</summary>
public sealed record QueueState(int Running, int Waiting, int Capacity, bool Accepting);

/// <summary>The limits, for the page to check before uploading and to size the recording.</summary>
public sealed record LimitsResult(long MaxUploadBytes, double MaxMediaSeconds, double MinMediaSeconds, double RecordingSeconds);

/// <summary>Optional features this server has.</summary>
/// <param name="Occlusion">True when results carry the occlusion heat map of the user's clip.</param>
public sealed record CapabilitiesResult(bool Occlusion);

/// <summary>The answer to <c>GET /api/health</c>; <c>uploadsKept</c> is true when the server keeps clips after analysis.</summary>
public sealed record HealthResponse(
    string Status,
    string Model,
    string Device,
    QueueState Queue,
    LimitsResult Limits,
    CapabilitiesResult Capabilities,
    bool UploadsKept,
    IReadOnlyList<TraitPole> Traits,
    string Notice);

/// <summary>The answer to <c>GET /api/profiles</c>.</summary>
public sealed record ProfilesResponse(IReadOnlyList<ProfileResult> Jobs, IReadOnlyList<ProfileResult> People);

/// <summary>Every refused or failed request: one message for people, and the request id that the log lines carry.</summary>
public sealed record ErrorResponse(string Error, string RequestId);
