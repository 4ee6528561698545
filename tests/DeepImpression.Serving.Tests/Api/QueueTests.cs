using System.Net;
using System.Net.Http.Json;
using DeepImpression.Serving.Tests.Support;
using DeepImpression.Train.Serving;

namespace DeepImpression.Serving.Tests.Api;

/// <summary>
/// One analysis at a time behind a bounded queue, over real HTTP: a full queue answers 503 with Retry-After, a client
/// that disconnects while waiting frees its place, and a graceful shutdown finishes the running analysis and turns
/// the waiting one away. A long clip (7.5 s at 60 fps, 450 frames at 456 x 256) keeps the model busy meanwhile.
/// </summary>
[TestFixture]
[NonParallelizable]
public class QueueTests
{
    private static string LongClip => TestClips.Make("busy.mp4", seconds: 7.5, rate: 60, size: "160x90");

    [Test]
    public async Task A_full_queue_answers_503_with_Retry_After_and_a_client_that_disconnects_while_waiting_frees_its_place()
    {
        await using var server = await ServerHarness.StartAsync(o => o with { QueueCapacity = 1 });
        var running = server.PostClipAsync(LongClip, "busy.mp4", "video/mp4");
        await server.WaitForAsync(q => q.Running == 1, "the first clip to run");

        using var leaving = new CancellationTokenSource();
        var waiting = server.PostClipAsync(TestClips.Synthetic, "waiting.mp4", "video/mp4", leaving.Token);
        await server.WaitForAsync(q => q.Waiting == 1, "the second clip to wait");

        using (var refused = await server.PostClipAsync(TestClips.Synthetic, "refused.mp4", "video/mp4"))
        {
            Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
            Assert.That(refused.Headers.RetryAfter?.Delta, Is.Not.Null.And.GreaterThanOrEqualTo(TimeSpan.FromSeconds(1)));
            var error = (await refused.Content.ReadFromJsonAsync<ErrorResponse>())!;
            Assert.That(error.Error, Does.Contain("busy").And.Contain("try again"));
        }

        leaving.Cancel();
        Assert.That(async () => await waiting, Throws.InstanceOf<OperationCanceledException>());
        var afterLeaving = await server.WaitForAsync(q => q.Waiting == 0, "the disconnected client's place to free up");
        Assert.That(afterLeaving.Queue.Running, Is.EqualTo(1), "the first clip was still running when the place freed up");

        // The freed place takes a new request, which waits for its turn and is analysed.
        var next = server.PostClipAsync(TestClips.Synthetic, "next.mp4", "video/mp4");
        using (var first = await running) Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.OK), await first.Content.ReadAsStringAsync());
        using (var second = await next) Assert.That(second.StatusCode, Is.EqualTo(HttpStatusCode.OK), await second.Content.ReadAsStringAsync());
        Assert.That(server.LeftoverUploads(), Is.Empty, "the disconnected client's upload stayed on disk");
        Assert.That((await server.HealthAsync()).Queue, Is.EqualTo(new QueueState(0, 0, 2, true)));
    }

    [Test]
    public async Task Shutdown_lets_the_running_analysis_finish_turns_away_the_waiting_one_and_removes_the_upload_folder()
    {
        await using var server = await ServerHarness.StartAsync(o => o with { QueueCapacity = 2 });
        string uploads = server.Server.UploadDirectory;
        var running = server.PostClipAsync(LongClip, "busy.mp4", "video/mp4");
        await server.WaitForAsync(q => q.Running == 1, "the first clip to run");
        var waiting = server.PostClipAsync(TestClips.Synthetic, "waiting.mp4", "video/mp4");
        await server.WaitForAsync(q => q.Waiting == 1, "the second clip to wait");

        var stopping = server.Server.StopAsync();
        using (var turnedAway = await waiting)
        {
            Assert.That(turnedAway.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
            Assert.That((await turnedAway.Content.ReadFromJsonAsync<ErrorResponse>())!.Error, Does.Contain("shutting down"));
            Assert.That(turnedAway.Headers.RetryAfter, Is.Not.Null);
        }
        using (var finished = await running)
        {
            Assert.That(finished.StatusCode, Is.EqualTo(HttpStatusCode.OK), await finished.Content.ReadAsStringAsync());
            var result = (await finished.Content.ReadFromJsonAsync<AnalysisResponse>())!;
            Assert.That(result.Traits, Has.Count.EqualTo(5));
        }
        await stopping;
        await server.DisposeAsync();
        Assert.That(Directory.Exists(uploads), Is.False, "the upload folder outlived the server");
    }

    [Test]
    public async Task Keep_uploads_leaves_the_clip_in_the_private_folder_under_a_generated_name()
    {
        await using var server = await ServerHarness.StartAsync(o => o with { KeepUploads = true });
        try
        {
            using var response = await server.PostClipAsync(TestClips.Synthetic, "../../etc/my clip.mp4", "video/mp4");
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            var kept = server.LeftoverUploads().Single();
            Assert.That(Path.GetFileName(kept), Does.Match("^upload-[0-9a-f]{24}$"), "the client's name is never used");
            Assert.That(File.ReadAllBytes(kept), Is.EqualTo(File.ReadAllBytes(TestClips.Synthetic)));
            if (!OperatingSystem.IsWindows())
            {
                Assert.That(File.GetUnixFileMode(server.Server.UploadDirectory), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute));
                Assert.That(File.GetUnixFileMode(kept), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
            }
            Assert.That((await server.HealthAsync()).UploadsKept, Is.True);
        }
        finally
        {
            Directory.Delete(server.Server.UploadDirectory, recursive: true);
        }
    }
}
