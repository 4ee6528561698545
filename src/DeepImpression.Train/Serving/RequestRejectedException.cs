namespace DeepImpression.Train.Serving;

/// <summary>
/// A request the server answers with a 4xx or 503 and one plain message for the person who sent it (never a path on
/// the server, never a stack trace).
/// </summary>
internal sealed class RequestRejectedException(int statusCode, string message, TimeSpan? retryAfter = null) : Exception(message)
{
    /// <summary>The HTTP status of the answer.</summary>
    public int StatusCode { get; } = statusCode;

    /// <summary>When set, the answer carries a <c>Retry-After</c> header of this many whole seconds.</summary>
    public TimeSpan? RetryAfter { get; } = retryAfter;
}
