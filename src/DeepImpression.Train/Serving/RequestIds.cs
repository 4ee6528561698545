using System.Diagnostics;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace DeepImpression.Train.Serving;

/// <summary>
/// Gives every request an id (sent back in <c>X-Request-Id</c> and in error bodies, and a named field of every log
/// line about the request), logs one line per request with its status and time, sets the headers every answer carries, and
/// turns an unexpected failure into a plain 500 (the details go to the log, never to the client).
/// </summary>
internal static class RequestIds
{
    /// <summary>The response header that carries the id.</summary>
    public const string Header = "X-Request-Id";

    private const string ItemKey = "DeepImpression.RequestId";

    /// <summary>The id of <paramref name="context"/>'s request.</summary>
    public static string Of(HttpContext context) => context.Items[ItemKey] as string ?? "-";

    /// <summary>The middleware.</summary>
    public static async Task Middleware(HttpContext context, RequestDelegate next, ILogger log)
    {
        string id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
        context.Items[ItemKey] = id;
        var headers = context.Response.Headers;
        headers[Header] = id;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        headers["Permissions-Policy"] = "camera=(self), microphone=(self), geolocation=()";

        long started = Stopwatch.GetTimestamp();
        try
        {
            await next(context);
        }
        catch (Exception) when (context.RequestAborted.IsCancellationRequested)
        {
            log.LogInformation("request {RequestId}: {Method} {Path}: the client went away", id, context.Request.Method, context.Request.Path.Value);
            return;
        }
        catch (Exception e)
        {
            log.LogError(e, "request {RequestId}: {Method} {Path} failed", id, context.Request.Method, context.Request.Path.Value);
            if (context.Response.HasStarted) throw;
            context.Response.Clear();
            context.Response.Headers[Header] = id;
            context.Response.StatusCode = StatusCodes.Status500InternalServerError;
            await context.Response.WriteAsJsonAsync(new ErrorResponse($"Something went wrong on the server. The log has the details under request id {id}.", id));
        }
        log.LogInformation("request {RequestId}: {Method} {Path} -> {Status} in {ElapsedMs:0.0} ms", id, context.Request.Method, context.Request.Path.Value,
            context.Response.StatusCode, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }
}
