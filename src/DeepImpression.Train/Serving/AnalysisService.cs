using System.Diagnostics;
using DeepImpression.Core;
using DeepImpression.Train.Analysis.Occlusion;
using DeepImpression.Train.Data.Labels;
using DeepImpression.Train.Evaluation;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace DeepImpression.Train.Serving;

/// <summary>
/// One analysis from request to answer: a place in the queue (or 503 at once), the upload streamed into the private
/// folder, its content checked with ffprobe, the turn on the model, the scores from <see cref="VideoPredictor"/> (the
/// same test-time procedure as <c>predict</c>), and the closest profiles; or, on request, the occlusion map of the same
/// clip. The upload is deleted when the request ends, whatever happened, unless uploads are kept.
/// </summary>
internal sealed class AnalysisService(
    VideoPredictor predictor,
    AnalysisQueue queue,
    UploadFolder uploads,
    LiveProfiles profiles,
    MediaLimits limits,
    int closestCount,
    PixelOcclusionOptions? occlusion,
    ILogger<AnalysisService> log)
{
    /// <summary>Analyses the upload of <paramref name="request"/>; refusals are <see cref="RequestRejectedException"/>s.</summary>
    public async Task<AnalysisResponse> AnalyzeAsync(HttpRequest request, string requestId, CancellationToken cancellation)
    {
        var run = await RunOnModelAsync(request, path => predictor.Predict(path, cancellation), cancellation);
        var scores = run.Result;
        var (jobs, people) = profiles.Current;
        log.LogInformation(
            "request {RequestId}: analysed {Bytes} bytes, {MediaSeconds:0.00} s of {VideoCodec}/{AudioCodec}: receive {ReceiveMs:0} ms, probe {ProbeMs:0} ms, queue {QueueMs:0} ms, predict {PredictMs:0} ms, total {TotalMs:0} ms",
            requestId, run.Bytes, run.Media.Seconds, run.Media.VideoCodec, run.Media.AudioCodec,
            run.Timings.ReceiveMs, run.Timings.ProbeMs, run.Timings.QueueMs, run.Timings.PredictMs, run.Timings.TotalMs);
        return new AnalysisResponse(
            requestId,
            TraitPoles.All.Select((t, i) => new TraitResult(t.Key, t.Name, scores[i], t.High, t.Low)).ToList(),
            TraitLevels.From(scores),
            ProfileMatch.Closest(scores, jobs, closestCount).Select(m => ProfileResult.From(m.Profile, m.Distance)).ToList(),
            ProfileMatch.Closest(scores, people, closestCount).Select(m => ProfileResult.From(m.Profile, m.Distance)).ToList(),
            new MediaResult(run.Bytes, run.Media.Seconds, run.Media.VideoCodec, run.Media.AudioCodec),
            run.Timings,
            TraitPoles.Notice);
    }

    /// <summary>
    /// "What drove this?": the pixel-level occlusion map (<see cref="PixelOcclusion"/>) of the upload's middle frame,
    /// drawn as the distance between the five predictions with and without each mask. It takes the same turn on the
    /// model as an analysis, so the queue bounds both.
    /// </summary>
    public async Task<OcclusionResponse> ExplainAsync(HttpRequest request, string requestId, CancellationToken cancellation)
    {
        var settings = occlusion ?? throw new RequestRejectedException(StatusCodes.Status404NotFound,
            "This server does not compute occlusion maps (it was started with --no-occlusion).");
        var run = await RunOnModelAsync(request, path => PixelOcclusion.AnalyzeVideo(predictor.Network, path, settings, cancellation: cancellation), cancellation);
        var map = run.Result;
        var figure = map.RenderDistance();
        var strongest = TraitPoles.All.Select((t, i) =>
        {
            var change = map.Change(i);
            return new TraitChangeRange(t.Key, t.Name, Math.Max(0, change.Max()), Math.Min(0, change.Min()));
        }).ToList();
        log.LogInformation(
            "request {RequestId}: occlusion map of {Masks} masks over {Bytes} bytes: receive {ReceiveMs:0} ms, probe {ProbeMs:0} ms, queue {QueueMs:0} ms, occlusion {PredictMs:0} ms, total {TotalMs:0} ms",
            requestId, map.Grid.Count, run.Bytes, run.Timings.ReceiveMs, run.Timings.ProbeMs, run.Timings.QueueMs, run.Timings.PredictMs, run.Timings.TotalMs);
        string caption =
            $"How much hiding each {settings.MaskSize.W} x {settings.MaskSize.H}-pixel patch of the middle frame changed your five scores " +
            "(brighter: a larger change). The network weighed the bright parts most; it says nothing about what a person would notice.";
        return new OcclusionResponse(requestId, "data:image/png;base64," + Convert.ToBase64String(figure.Png), caption, map.Grid.Count, strongest, run.Timings);
    }

    /// <summary>What one turn on the model gave, with the upload's size, what ffprobe found and where the time went.</summary>
    private sealed record ModelRun<T>(T Result, long Bytes, MediaSummary Media, TimingsResult Timings);

    /// <summary>
    /// The steps every request on the model shares: a place in the queue (or 503 at once), the upload streamed into the
    /// private folder, its content checked with ffprobe, the turn on the model, then <paramref name="work"/> on the file.
    /// The upload is deleted when this returns or throws, unless uploads are kept.
    /// </summary>
    private async Task<ModelRun<T>> RunOnModelAsync<T>(HttpRequest request, Func<string, T> work, CancellationToken cancellation)
    {
        long started = Stopwatch.GetTimestamp();
        using var admission = queue.TryAdmit() ?? throw Busy();
        using var upload = uploads.NewUpload();

        long bytes = await UploadReceiver.ReceiveAsync(request, upload, limits.MaxUploadBytes, cancellation);
        long received = Stopwatch.GetTimestamp();

        var media = await InspectAsync(upload.Path, cancellation);
        long probed = Stopwatch.GetTimestamp();

        try
        {
            await admission.WaitForTurnAsync(cancellation);
        }
        catch (QueueClosedException)
        {
            throw ShuttingDown();
        }
        long turn = Stopwatch.GetTimestamp();

        T result;
        try
        {
            result = await Task.Run(() => work(upload.Path), cancellation);
        }
        catch (InvalidInputException e)
        {
            // The decoder names the file; the client only knows it as "this clip".
            throw new RequestRejectedException(StatusCodes.Status422UnprocessableEntity,
                "This clip could not be decoded: " + e.Message.Replace(upload.Path + ": ", "", StringComparison.Ordinal).Replace(upload.Path, "the clip", StringComparison.Ordinal));
        }
        long done = Stopwatch.GetTimestamp();
        var timings = new TimingsResult(
            Milliseconds(started, received), Milliseconds(received, probed), Milliseconds(probed, turn), Milliseconds(turn, done), Milliseconds(started, done));
        return new ModelRun<T>(result, bytes, media, timings);
    }

    private async Task<MediaSummary> InspectAsync(string path, CancellationToken cancellation)
    {
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        budget.CancelAfter(limits.InspectionTimeout);
        try
        {
            return await Task.Run(() => UploadInspector.Inspect(path, limits, budget.Token), budget.Token);
        }
        catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
        {
            throw new RequestRejectedException(StatusCodes.Status422UnprocessableEntity,
                $"This file took longer than {limits.InspectionTimeout.TotalSeconds:0} s to read; it may be damaged or unusually complex.");
        }
    }

    private RequestRejectedException Busy() => queue.IsClosed
        ? ShuttingDown()
        : new RequestRejectedException(StatusCodes.Status503ServiceUnavailable,
            $"The server is busy with {queue.Capacity} clips. Please try again in {queue.RetryAfter.TotalSeconds:0} s.", queue.RetryAfter);

    private RequestRejectedException ShuttingDown() =>
        new(StatusCodes.Status503ServiceUnavailable, "The server is shutting down. Please try again later.", queue.RetryAfter);

    private static double Milliseconds(long from, long to) => Math.Round(Stopwatch.GetElapsedTime(from, to).TotalMilliseconds, 1);
}
