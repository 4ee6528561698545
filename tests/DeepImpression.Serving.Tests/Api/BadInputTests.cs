using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using DeepImpression.Serving.Tests.Support;
using DeepImpression.Train.Serving;

namespace DeepImpression.Serving.Tests.Api;

/// <summary>
/// Every kind of bad upload gets its own status and one plain message, the content decides (never the name or the
/// MIME type the client claims), no answer carries a stack trace or a server path, and no upload stays on disk.
/// </summary>
[TestFixture]
[NonParallelizable]
public class BadInputTests
{
    private ServerHarness _server = null!;

    [OneTimeSetUp]
    public async Task StartServer() => _server = await ServerHarness.StartAsync();

    [OneTimeTearDown]
    public async Task StopServer() => await _server.DisposeAsync();

    [TearDown]
    public void NothingLeftOnDisk() => Assert.That(_server.LeftoverUploads(), Is.Empty, "an upload stayed on disk");

    private static IEnumerable<TestCaseData> BadClips()
    {
        yield return Case("text named like a video", () => WriteText("notes.mp4", "these are not the frames you are looking for\n"), "notes.mp4", "video/mp4",
            415, "not a video that ffmpeg can read");
        yield return Case("random bytes", () => TestClips.Noise("noise.webm", 50_000), "noise.webm", "video/webm", 415, "not a video that ffmpeg can read");
        yield return Case("a still picture", TestClips.Picture, "selfie.mp4", "video/mp4", 415, "still image, not a video");
        yield return Case("sound only", TestClips.Sound, "voice.webm", "video/webm", 415, "no picture");
        yield return Case("video without sound", () => TestClips.Make("silent.mp4", seconds: 5, sound: false), "clip.mp4", "video/mp4", 422, "has no sound");
        yield return Case("shorter than the model needs", () => TestClips.Make("short.mp4", seconds: 2), "clip.mp4", "video/mp4", 422, "the model needs at least 3.1 s");
        yield return Case("longer than the limit", () => TestClips.Make("long.mp4", seconds: 9, rate: 2), "clip.mp4", "video/mp4", 422, "the limit is 8 s");
        yield return Case("header intact, media cut short", () => TestClips.CutShort(0.75), "clip.mp4", "video/mp4", 422, "could not be decoded");
        // Within the request's room for the multipart envelope, so the file is counted as it streams in.
        yield return Case("over the size limit", () => TestClips.Noise("big.webm", 2_030_000), "big.webm", "video/webm", 413, "larger than the 2 MB limit");
    }

    private static TestCaseData Case(string name, Func<string> make, string fileName, string type, int status, string message) =>
        new TestCaseData(make, fileName, type, status, message).SetName($"Upload_of_{name.Replace(' ', '_').Replace(',', '_')}_gets_{status}");

    [TestCaseSource(nameof(BadClips))]
    public async Task Bad_upload(Func<string> make, string fileName, string type, int status, string message)
    {
        using var response = await _server.PostClipAsync(make(), fileName, type);
        await AssertRefused(response, status, message);
    }

    [Test]
    public async Task A_body_that_is_not_multipart_gets_415()
    {
        using var content = new ByteArrayContent(File.ReadAllBytes(TestClips.Synthetic));
        content.Headers.ContentType = new MediaTypeHeaderValue("video/mp4");
        using var response = await _server.Client.PostAsync("/api/analyze", content);
        await AssertRefused(response, 415, "multipart/form-data");
    }

    [Test]
    public async Task A_form_without_a_file_gets_400()
    {
        using var form = new MultipartFormDataContent { { new StringContent("hello"), "note" } };
        using var response = await _server.Client.PostAsync("/api/analyze", form);
        await AssertRefused(response, 400, "holds no file");
    }

    [Test]
    public async Task An_empty_file_gets_400()
    {
        using var form = new MultipartFormDataContent { { new ByteArrayContent([]), UploadReceiver.FieldName, "empty.webm" } };
        using var response = await _server.Client.PostAsync("/api/analyze", form);
        await AssertRefused(response, 400, "empty");
    }

    [Test]
    public async Task A_multipart_body_cut_off_before_its_end_gets_400()
    {
        var text = "--b0undary\r\nContent-Disposition: form-data; name=\"video\"; filename=\"x.webm\"\r\nContent-Type: video/webm\r\n\r\nabcdef";
        using var content = new ByteArrayContent(Encoding.ASCII.GetBytes(text));
        content.Headers.TryAddWithoutValidation("Content-Type", "multipart/form-data; boundary=b0undary");
        using var response = await _server.Client.PostAsync("/api/analyze", content);
        await AssertRefused(response, 400, "malformed");
    }

    [Test]
    public async Task A_declared_length_over_the_limit_is_refused_before_the_body_is_read()
    {
        using var form = ServerHarness.ClipForm(TestClips.Noise("declared-big.webm", 2_200_000));
        using var response = await _server.Client.PostAsync("/api/analyze", form);
        await AssertRefused(response, 413, "larger than the 2 MB limit");
    }

    [Test]
    public async Task A_chunked_body_over_the_limit_is_cut_off_at_the_limit()
    {
        var file = new StreamContent(new OneWayStream(File.ReadAllBytes(TestClips.Noise("chunked-big.webm", 2_300_000))));
        file.Headers.ContentType = new MediaTypeHeaderValue("video/webm");
        using var form = new MultipartFormDataContent { { file, UploadReceiver.FieldName, "chunked.webm" } };
        Assert.That(form.Headers.ContentLength, Is.Null, "sent chunked");
        using var response = await _server.Client.PostAsync("/api/analyze", form);
        await AssertRefused(response, 413, "larger than the 2 MB limit");
    }

    private async Task AssertRefused(HttpResponseMessage response, int status, string message)
    {
        string body = await response.Content.ReadAsStringAsync();
        Assert.That((int)response.StatusCode, Is.EqualTo(status), body);
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"), body);
        var error = JsonSerializer.Deserialize<ErrorResponse>(body, JsonSerializerOptions.Web)!;
        Assert.That(error.Error, Does.Contain(message));
        Assert.That(error.Error.Split('\n'), Has.Length.EqualTo(1), "one line");
        Assert.That(error.RequestId, Is.EqualTo(response.Headers.GetValues(RequestIds.Header).Single()));
        Assert.That(body, Does.Not.Match(@"\bat [\w.<>`]+\(").And.Not.Contain("Exception").And.Not.Contain(_server.Server.UploadDirectory).And.Not.Contain(Path.GetTempPath()),
            "no stack trace, exception or server path in an answer");
        Assert.That(_server.Logs.Events.Any(e => Equals(e.Fields.GetValueOrDefault("RequestId"), error.RequestId) && e.Message.Contains($"refused with {status}", StringComparison.Ordinal)),
            "the refusal is logged under the request id");
    }

    /// <summary>A stream that cannot seek, so HttpClient sends it chunked, without a Content-Length.</summary>
    private sealed class OneWayStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
    }

    private static string WriteText(string name, string text)
    {
        string path = Path.Combine(TestFolders.Fresh("text"), name);
        File.WriteAllText(path, text);
        return path;
    }
}
