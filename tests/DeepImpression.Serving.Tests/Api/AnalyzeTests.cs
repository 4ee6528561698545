using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using DeepImpression.Serving.Tests.Support;
using DeepImpression.Train.Data.Labels;
using DeepImpression.Train.Serving;

namespace DeepImpression.Serving.Tests.Api;

/// <summary><c>POST /api/analyze</c> over real HTTP on loopback: the scores, the comparison, the logs, and that nothing stays on disk.</summary>
[TestFixture]
[NonParallelizable]
public class AnalyzeTests
{
    private ServerHarness _server = null!;

    [OneTimeSetUp]
    public async Task StartServer() => _server = await ServerHarness.StartAsync();

    [OneTimeTearDown]
    public async Task StopServer() => await _server.DisposeAsync();

    [Test]
    public async Task A_synthetic_clip_gets_exactly_the_scores_VideoPredictor_gives_for_the_same_file_and_its_upload_is_deleted()
    {
        string clip = TestClips.Synthetic;
        using var response = await _server.PostClipAsync(clip, "clip.mp4", "video/mp4");
        string body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
        var result = JsonSerializer.Deserialize<AnalysisResponse>(body, JsonSerializerOptions.Web)!;

        var expected = TestModel.Predictor.Predict(clip);
        Assert.That(expected.ToArray(), Has.All.InRange(0.02f, 0.98f), "saturated scores would hide a difference");
        Assert.That(Levels(result.Scores), Is.EqualTo(expected.ToArray()), "the server and VideoPredictor disagree");
        Assert.That(result.Traits.Select(t => t.Score), Is.EqualTo(expected.ToArray()));
        Assert.That(result.Traits.Select(t => t.Name), Is.EqualTo(TraitScores.Names));
        Assert.That(result.Traits[4].High, Is.EqualTo("inventive / curious"));
        Assert.That(result.Traits[3].Low, Is.EqualTo("secure / confident"));
        Assert.That(result.Notice, Does.Contain("apparent traits").And.Contain("not a personality assessment").And.Contain("hiring"));
        Assert.That(result.RequestId, Is.EqualTo(response.Headers.GetValues(RequestIds.Header).Single()));
        Assert.That(result.Media.Seconds, Is.EqualTo(4).Within(0.1));
        Assert.That(result.Media.Bytes, Is.EqualTo(new FileInfo(clip).Length));
        Assert.That(result.Timings.PredictMs, Is.GreaterThan(0));
        Assert.That(result.Timings.TotalMs, Is.GreaterThanOrEqualTo(result.Timings.PredictMs));

        Assert.That(_server.LeftoverUploads(), Is.Empty, "the upload stayed on disk");
        var line = _server.Logs.Events.Single(e => e.Message.Contains("analysed", StringComparison.Ordinal) && Equals(e.Fields.GetValueOrDefault("RequestId"), result.RequestId));
        Assert.That(line.Fields.Keys, Is.SupersetOf(new[] { "ReceiveMs", "ProbeMs", "QueueMs", "PredictMs", "TotalMs", "Bytes" }));
    }

    [Test]
    public async Task The_closest_profiles_are_the_nearest_in_trait_space_in_order_with_their_distances()
    {
        using var response = await _server.PostClipAsync(TestClips.Synthetic, "clip.mp4", "video/mp4");
        var result = (await response.Content.ReadFromJsonAsync<AnalysisResponse>())!;
        var you = Levels(result.Scores);
        var (jobs, people) = (new ProfileStore(_server.Options.ProfilesDirectory).Load(ProfileKind.Job), new ProfileStore(_server.Options.ProfilesDirectory).Load(ProfileKind.Person));
        foreach (var (shown, all) in new[] { (result.ClosestJobs, jobs), (result.ClosestPeople, people) })
        {
            // Float64 distances computed here from the raw levels, every profile ranked.
            var ranked = all.Select(p => (p.Name, Distance: Math.Sqrt(Enumerable.Range(0, 5).Sum(t => Math.Pow((double)you[t] - p.Scores[t], 2)))))
                .OrderBy(p => p.Distance).Take(3).ToList();
            Assert.That(shown.Select(p => p.Name), Is.EqualTo(ranked.Select(r => r.Name)));
            Assert.That(shown.Select(p => p.Distance!.Value), Is.EqualTo(ranked.Select(r => r.Distance)).Within(1e-12));
            Assert.That(shown, Has.All.Matches<ProfileResult>(p => p.Illustrative && p.Source == TraitProfile.IllustrativeSource));
        }
    }

    [TestCase("piped.webm", "webm", "recording.webm", "video/webm;codecs=vp8,opus", "vp8", "opus", TestName = "A_webm_with_opus_sound_written_to_a_pipe_as_Chromium_and_Firefox_stream_it_is_analysed_like_predict_does")]
    [TestCase("fragmented.mp4", "fmp4", "recording.mp4", "video/mp4", "h264", "aac", TestName = "A_fragmented_mp4_as_Safari_records_it_is_analysed_like_predict_does")]
    public async Task A_browser_recording(string name, string container, string fileName, string type, string videoCodec, string audioCodec)
    {
        string clip = TestClips.Make(name, seconds: 4, container: container);
        using var response = await _server.PostClipAsync(clip, fileName, type);
        string body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
        var result = JsonSerializer.Deserialize<AnalysisResponse>(body, JsonSerializerOptions.Web)!;
        Assert.That(Levels(result.Scores), Is.EqualTo(TestModel.Predictor.Predict(clip).ToArray()));
        Assert.That((result.Media.VideoCodec, result.Media.AudioCodec), Is.EqualTo((videoCodec, audioCodec)));
        Assert.That(result.Media.Seconds, Is.EqualTo(4).Within(0.1));
        Assert.That(_server.LeftoverUploads(), Is.Empty);
    }

    [Test]
    public async Task A_request_that_names_another_host_is_refused_so_that_a_rebound_web_page_cannot_use_the_server()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/health");
        request.Headers.Host = "attacker.example";
        using var response = await _server.Client.SendAsync(request);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        using var local = new HttpRequestMessage(HttpMethod.Get, "/api/health");
        local.Headers.Host = $"localhost:{_server.BaseAddress.Port}";
        using var allowed = await _server.Client.SendAsync(local);
        Assert.That(allowed.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task Health_reports_the_limits_the_queue_and_the_occlusion_capability()
    {
        var health = await _server.HealthAsync();
        Assert.That(health.Status, Is.EqualTo("ok"));
        Assert.That(health.Capabilities.Occlusion, Is.True);
        Assert.That(health.Limits.MaxUploadBytes, Is.EqualTo(2_000_000));
        Assert.That(health.Limits.MaxMediaSeconds, Is.EqualTo(8));
        Assert.That(health.Limits.MinMediaSeconds, Is.EqualTo(50_176 / 16_000.0));
        Assert.That(health.Queue, Is.EqualTo(new QueueState(0, 0, 3, true)));
        Assert.That(health.Traits.Select(t => t.Name), Is.EqualTo(TraitScores.Names));
        Assert.That(health.Model, Is.EqualTo(Path.GetFileName(Path.GetDirectoryName(TestModel.Path)) + "/random.npz"), "the folder and file name, not where the server keeps it");
        Assert.That(health.UploadsKept, Is.False);
    }

    [Test]
    public async Task The_page_and_its_files_are_served_with_a_strict_content_security_policy()
    {
        using var page = await _server.Client.GetAsync("/");
        Assert.That(page.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(page.Content.Headers.ContentType!.MediaType, Is.EqualTo("text/html"));
        string html = await page.Content.ReadAsStringAsync();
        Assert.That(html, Does.Contain("<html lang=\"en\">").And.Contain("id=\"upload-input\"").And.Contain("Start my camera"));
        Assert.That(html, Does.Not.Contain("http://").And.Not.Contain("https://"), "the page must load nothing from elsewhere");
        Assert.That(page.Headers.GetValues("Content-Security-Policy").Single(), Does.Contain("default-src 'self'"));
        foreach (var (path, type) in new[] { ("/app.js", "text/javascript"), ("/app.css", "text/css"), ("/guide.svg", "image/svg+xml") })
        {
            using var asset = await _server.Client.GetAsync(path);
            Assert.That(asset.StatusCode, Is.EqualTo(HttpStatusCode.OK), path);
            Assert.That(asset.Content.Headers.ContentType!.MediaType, Is.EqualTo(type), path);
            Assert.That(await asset.Content.ReadAsStringAsync(), Does.Not.Contain("https://").And.Not.Contain("http://127"), path);
        }
        using var missing = await _server.Client.GetAsync("/nothing-here.js");
        Assert.That(missing.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [Test]
    public async Task Profiles_lists_the_illustrative_defaults_and_picks_up_a_profile_added_while_the_server_runs()
    {
        var before = (await _server.Client.GetFromJsonAsync<ProfilesResponse>("/api/profiles"))!;
        Assert.That(before.Jobs, Is.Not.Empty.And.All.Matches<ProfileResult>(p => p.Illustrative));
        Assert.That(before.People, Is.Not.Empty.And.All.Matches<ProfileResult>(p => p.Illustrative && p.Name.EndsWith("(fictional)", StringComparison.Ordinal)));

        var store = new ProfileStore(_server.Options.ProfilesDirectory);
        store.Add(new TraitProfile(ProfileKind.Job, "Lighthouse keeper", new TraitScores(0.2f, 0.5f, 0.7f, 0.4f, 0.6f), "scores"));
        try
        {
            var after = (await _server.Client.GetFromJsonAsync<ProfilesResponse>("/api/profiles"))!;
            var added = after.Jobs.Single(p => p.Name == "Lighthouse keeper");
            Assert.That(added.Illustrative, Is.False);
            Assert.That(added.Scores, Is.EqualTo(new TraitLevels(0.2f, 0.5f, 0.7f, 0.4f, 0.6f)));
            Assert.That(after.Jobs, Has.Count.EqualTo(before.Jobs.Count + 1));
        }
        finally
        {
            store.Remove(ProfileKind.Job, "Lighthouse keeper");
        }
    }

    private static float[] Levels(TraitLevels l) => [l.Extraversion, l.Agreeableness, l.Conscientiousness, l.Neuroticism, l.Openness];
}
