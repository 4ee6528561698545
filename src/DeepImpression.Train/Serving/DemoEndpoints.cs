using DeepImpression.Core.Tensors;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace DeepImpression.Train.Serving;

/// <summary>The page's files and the API: <c>GET /api/health</c>, <c>GET /api/profiles</c>, <c>POST /api/analyze</c>,
/// <c>POST /api/occlusion</c>.</summary>
internal static class DemoEndpoints
{
    /// <summary>Content-Security-Policy of the page: its own files only, the camera preview and recording as blobs.</summary>
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; media-src 'self' blob: mediastream:; " +
        "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    /// <summary>Maps every route onto <paramref name="app"/>.</summary>
    public static void Map(IEndpointRouteBuilder app, AnalysisService analysis, AnalysisQueue queue, LiveProfiles profiles,
                           ServeOptions options, string modelName, Device device)
    {
        app.MapGet("/api/health", () => Results.Json(new HealthResponse(
            queue.IsClosed ? "stopping" : "ok",
            modelName,
            device.ToString(),
            new QueueState(queue.Running, queue.Waiting, queue.Capacity, !queue.IsClosed),
            new LimitsResult(options.Limits.MaxUploadBytes, options.Limits.MaxSeconds, MediaLimits.MinimumSeconds, options.RecordingSeconds),
            new CapabilitiesResult(Occlusion: options.Occlusion is not null),
            options.KeepUploads,
            TraitPoles.All,
            TraitPoles.Notice)));

        app.MapGet("/api/profiles", () =>
        {
            var (jobs, people) = profiles.Current;
            return Results.Json(new ProfilesResponse(jobs.Select(p => ProfileResult.From(p)).ToList(), people.Select(p => ProfileResult.From(p)).ToList()));
        });

        app.MapPost("/api/analyze", (HttpContext context, ILogger<AnalysisService> log) =>
            Answer(context, log, id => analysis.AnalyzeAsync(context.Request, id, context.RequestAborted))).DisableAntiforgery();

        app.MapPost("/api/occlusion", (HttpContext context, ILogger<AnalysisService> log) =>
            Answer(context, log, id => analysis.ExplainAsync(context.Request, id, context.RequestAborted))).DisableAntiforgery();

        foreach (var (path, asset) in StaticAssets.All)
        {
            app.MapGet(path, (HttpContext context) =>
            {
                var headers = context.Response.Headers;
                headers.ETag = asset.ETag;
                headers.CacheControl = "no-cache";
                if (asset.ContentType.StartsWith("text/html", StringComparison.Ordinal)) headers.ContentSecurityPolicy = ContentSecurityPolicy;
                if (context.Request.Headers.IfNoneMatch == asset.ETag) return Results.StatusCode(StatusCodes.Status304NotModified);
                return Results.Bytes(asset.Content, asset.ContentType);
            });
        }
    }

    /// <summary>The JSON answer of <paramref name="work"/>, or a refusal as <see cref="ErrorResponse"/> with its status
    /// (and Retry-After where it has one), logged with the request id.</summary>
    private static async Task<IResult> Answer<T>(HttpContext context, ILogger log, Func<string, Task<T>> work)
    {
        string id = RequestIds.Of(context);
        try
        {
            return Results.Json(await work(id));
        }
        catch (RequestRejectedException e)
        {
            log.LogInformation("request {RequestId}: refused with {Status}: {Reason}", id, e.StatusCode, e.Message);
            if (e.RetryAfter is { } wait) context.Response.Headers.RetryAfter = ((int)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            return Results.Json(new ErrorResponse(e.Message, id), statusCode: e.StatusCode);
        }
    }
}
