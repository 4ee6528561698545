using System.Diagnostics;
using DeepImpression.Core;
using DeepImpression.Train.Data.Labels;
using DeepImpression.Train.Evaluation;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace DeepImpression.Train.Serving;

/// <summary>
/// One analysis from request to answer: a place in the queue (or 503 at once), the upload streamed into the private
/// folder, its content checked with ffprobe, the turn on the model, the scores from <see cref="VideoPredictor"/> (the
/// same test-time procedure as <c>predict</c>), and the closest profiles. The upload is deleted when the request ends,
/// whatever happened, unless uploads are kept.
/// </summary>
public sealed class AnalysisService(
    VideoPredictor predictor,
    AnalysisQueue queue,
    UploadFolder uploads,
    LiveProfiles profiles,
    MediaLimits limits,
    int closestCount,
    ILogger<AnalysisService> log)
{
    /// <summary>Analyses the upload of <paramref name="request"/>; refusals are <see cref="RequestRejectedException"/>s.</summary>
    public async Task<AnalysisResponse> AnalyzeAsync(HttpRequest request, string requestId, CancellationToken cancellation)
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

        TraitScores scores;
        try
        {
            scores = await Task.Run(() => predictor.Predict(upload.Path, cancellation), cancellation);
        }
        catch (InvalidInputException e)
        {
            // The decoder names the file; the client only knows it as "this clip".
            throw new RequestRejectedException(StatusCodes.Status422UnprocessableEntity,
                "This clip could not be decoded: " + e.Message.Replace(upload.Path + ": ", "", StringComparison.Ordinal).Replace(upload.Path, "the clip", StringComparison.Ordinal));
        }
        long predicted = Stopwatch.GetTimestamp();

        var (jobs, people) = profiles.Current;
        var timings = new TimingsResult(
            Milliseconds(started, received), Milliseconds(received, probed), Milliseconds(probed, turn), Milliseconds(turn, predicted), Milliseconds(started, predicted));
        log.LogInformation(
            "request {RequestId}: analysed {Bytes} bytes, {MediaSeconds:0.00} s of {VideoCodec}/{AudioCodec}: receive {ReceiveMs:0} ms, probe {ProbeMs:0} ms, queue {QueueMs:0} ms, predict {PredictMs:0} ms, total {TotalMs:0} ms",
            requestId, bytes, media.Seconds, media.VideoCodec, media.AudioCodec, timings.ReceiveMs, timings.ProbeMs, timings.QueueMs, timings.PredictMs, timings.TotalMs);
        return new AnalysisResponse(
            requestId,
            TraitPoles.All.Select((t, i) => new TraitResult(t.Key, t.Name, scores[i], t.High, t.Low)).ToList(),
            TraitLevels.From(scores),
            ProfileMatch.Closest(scores, jobs, closestCount).Select(m => ProfileResult.From(m.Profile, m.Distance)).ToList(),
            ProfileMatch.Closest(scores, people, closestCount).Select(m => ProfileResult.From(m.Profile, m.Distance)).ToList(),
            new MediaResult(bytes, media.Seconds, media.VideoCodec, media.AudioCodec),
            timings,
            TraitPoles.Notice,
            Occlusion: null);
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
