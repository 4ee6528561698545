using System.Net;
using System.Text.Json;
using DeepImpression.Serving.Tests.Support;
using DeepImpression.Train.Analysis.Occlusion;
using DeepImpression.Train.Serving;

namespace DeepImpression.Serving.Tests.Api;

/// <summary><c>POST /api/occlusion</c> over real HTTP on loopback: the page's "What drove this?" map of the user's clip.</summary>
[TestFixture]
[NonParallelizable]
public class OcclusionTests
{
    private ServerHarness _server = null!;

    [OneTimeSetUp]
    public async Task StartServer() => _server = await ServerHarness.StartAsync();

    [OneTimeTearDown]
    public async Task StopServer() => await _server.DisposeAsync();

    [Test]
    public async Task The_map_of_a_clip_is_the_library_s_occlusion_map_of_the_same_file_as_a_png_and_the_upload_is_deleted()
    {
        string clip = TestClips.Synthetic;
        using var response = await _server.PostClipAsync(clip, "clip.mp4", "video/mp4", endpoint: "/api/occlusion");
        string body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
        var result = JsonSerializer.Deserialize<OcclusionResponse>(body, JsonSerializerOptions.Web)!;

        // The same analysis through the library, on the same file with the same settings.
        var expected = PixelOcclusion.AnalyzeVideo(TestModel.Predictor.Network, clip, _server.Options.Occlusion);
        Assert.That(result.Masks, Is.EqualTo(expected.Grid.Count));
        for (int t = 0; t < TraitPoles.All.Count; t++)
        {
            var change = expected.Change(t);
            Assert.That(result.Strongest[t].Key, Is.EqualTo(TraitPoles.All[t].Key));
            Assert.That((result.Strongest[t].Rise, result.Strongest[t].Fall), Is.EqualTo((Math.Max(0, change.Max()), Math.Min(0, change.Min()))), TraitPoles.All[t].Name);
        }
        Assert.That(result.Strongest.Any(s => s.Rise > 0 || s.Fall < 0), Is.True, "masking changed nothing: the map would be blank");

        const string prefix = "data:image/png;base64,";
        Assert.That(result.ImageUrl, Does.StartWith(prefix));
        var png = Convert.FromBase64String(result.ImageUrl[prefix.Length..]);
        Assert.That(png, Is.EqualTo(expected.RenderDistance().Png), "the page gets the library's figure");
        Assert.That(result.Caption, Does.Contain("16 x 16").Or.Contain($"{_server.Options.Occlusion!.MaskSize.W} x {_server.Options.Occlusion.MaskSize.H}"));
        Assert.That(result.Timings.PredictMs, Is.GreaterThan(0));
        Assert.That(result.RequestId, Is.EqualTo(response.Headers.GetValues(RequestIds.Header).Single()));
        Assert.That(_server.LeftoverUploads(), Is.Empty, "the upload stayed on disk");
        Assert.That(_server.Logs.Events.Any(e => e.Message.Contains("occlusion map", StringComparison.Ordinal) && Equals(e.Fields.GetValueOrDefault("RequestId"), result.RequestId)), Is.True);
    }

    [Test]
    public async Task A_file_that_is_not_a_video_is_refused_as_analyze_refuses_it()
    {
        string notes = Path.Combine(TestFolders.Fresh("occlusion-bad"), "notes.webm");
        await File.WriteAllTextAsync(notes, "not a video\n");
        using var response = await _server.PostClipAsync(notes, endpoint: "/api/occlusion");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.UnsupportedMediaType));
        var error = JsonSerializer.Deserialize<ErrorResponse>(await response.Content.ReadAsStringAsync(), JsonSerializerOptions.Web)!;
        Assert.That(error.Error, Does.Contain("not a video"));
        Assert.That(_server.LeftoverUploads(), Is.Empty);
    }

    [Test]
    public async Task A_server_started_without_occlusion_says_so_in_health_and_answers_404()
    {
        await using var plain = await ServerHarness.StartAsync(o => o with { Occlusion = null });
        Assert.That((await plain.HealthAsync()).Capabilities.Occlusion, Is.False);
        using var response = await plain.PostClipAsync(TestClips.Synthetic, endpoint: "/api/occlusion");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        var error = JsonSerializer.Deserialize<ErrorResponse>(await response.Content.ReadAsStringAsync(), JsonSerializerOptions.Web)!;
        Assert.That(error.Error, Does.Contain("--no-occlusion"));
    }
}
