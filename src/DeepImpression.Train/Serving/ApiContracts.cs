using DeepImpression.Train.Data.Labels;

namespace DeepImpression.Train.Serving;

// The JSON the demo's API answers with (camelCase on the wire). The page in wwwroot/app.js reads exactly these.

/// <summary>Five trait levels in [0, 1] by name.</summary>
internal sealed record TraitLevels(float Extraversion, float Agreeableness, float Conscientiousness, float Neuroticism, float Openness)
{
    /// <summary>The same values as <paramref name="scores"/>.</summary>
    public static TraitLevels From(TraitScores scores) =>
        new(scores.Extraversion, scores.Agreeableness, scores.Conscientiousness, scores.Neuroticism, scores.Openness);
}

/// <summary>One trait of a result, with the words for its poles.</summary>
internal sealed record TraitResult(string Key, string Name, float Score, string High, string Low);

/// <summary>A job profile or reference person; <c>distance</c> is set where it is compared with a result.</summary>
internal sealed record ProfileResult(string Name, string Kind, string Source, bool Illustrative, TraitLevels Scores, double? Distance)
{
    /// <summary>The contract form of <paramref name="profile"/>.</summary>
    public static ProfileResult From(TraitProfile profile, double? distance = null) =>
        new(profile.Name, ProfileKinds.Name(profile.Kind), profile.Source, profile.Illustrative, TraitLevels.From(profile.Scores), distance);
}

/// <summary>What the analysed upload held.</summary>
internal sealed record MediaResult(long Bytes, double Seconds, string? VideoCodec, string? AudioCodec);

/// <summary>Where the time of one analysis went, in milliseconds.</summary>
internal sealed record TimingsResult(double ReceiveMs, double ProbeMs, double QueueMs, double PredictMs, double TotalMs);

/// <summary>
/// The answer to <c>POST /api/occlusion</c>, the page's "What drove this?": how much covering each part of a frame of
/// the user's own clip changes the five predictions, as a PNG (a data: URL) over that frame, with a caption.
/// </summary>
/// <param name="RequestId">The request id that the log lines carry.</param>
/// <param name="ImageUrl">The map as a <c>data:image/png;base64,</c> URL.</param>
/// <param name="Caption">What the picture shows, in words (also the image's alternative text).</param>
/// <param name="Masks">How many masked versions of the frame were predicted.</param>
/// <param name="Strongest">For each trait, the largest rise and fall that covering one patch gave.</param>
/// <param name="Timings">Where the time went; <c>predictMs</c> is the occlusion analysis itself.</param>
internal sealed record OcclusionResponse(string RequestId, string ImageUrl, string Caption, int Masks,
    IReadOnlyList<TraitChangeRange> Strongest, TimingsResult Timings);

/// <summary>The largest rise and fall of one trait over all masks.</summary>
internal sealed record TraitChangeRange(string Key, string Name, float Rise, float Fall);

/// <summary>The answer to <c>POST /api/analyze</c>.</summary>
internal sealed record AnalysisResponse(
    string RequestId,
    IReadOnlyList<TraitResult> Traits,
    TraitLevels Scores,
    IReadOnlyList<ProfileResult> ClosestJobs,
    IReadOnlyList<ProfileResult> ClosestPeople,
    MediaResult Media,
    TimingsResult Timings,
    string Notice);

/// <summary>The analysis queue as <c>/api/health</c> shows it.</summary>
internal sealed record QueueState(int Running, int Waiting, int Capacity, bool Accepting);

/// <summary>The limits, for the page to check before uploading and to size the recording.</summary>
internal sealed record LimitsResult(long MaxUploadBytes, double MaxMediaSeconds, double MinMediaSeconds, double RecordingSeconds);

/// <summary>Optional features this server has.</summary>
/// <param name="Occlusion">True when <c>POST /api/occlusion</c> maps what drove a result.</param>
internal sealed record CapabilitiesResult(bool Occlusion);

/// <summary>The answer to <c>GET /api/health</c>; <c>uploadsKept</c> is true when the server keeps clips after analysis.</summary>
internal sealed record HealthResponse(
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
internal sealed record ProfilesResponse(IReadOnlyList<ProfileResult> Jobs, IReadOnlyList<ProfileResult> People);

/// <summary>Every refused or failed request: one message for people, and the request id that the log lines carry.</summary>
internal sealed record ErrorResponse(string Error, string RequestId);
