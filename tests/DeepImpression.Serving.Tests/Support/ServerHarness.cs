using System.Net.Http.Json;
using DeepImpression.Train.Analysis.Occlusion;
using DeepImpression.Train.Serving;
using Microsoft.Extensions.Logging;

namespace DeepImpression.Serving.Tests.Support;

/// <summary>
/// A <see cref="DemoServer"/> on a free loopback port with the test model, its own profiles folder and a log
/// recorder, and an <see cref="HttpClient"/> that talks to it over real HTTP.
/// </summary>
internal sealed class ServerHarness : IAsyncDisposable
{
    private ServerHarness(DemoServer server, LogRecorder logs, ServeOptions options)
    {
        Server = server;
        Logs = logs;
        Options = options;
        BaseAddress = server.Addresses.Single();
        Client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromMinutes(3) };
    }

    public DemoServer Server { get; }
    public LogRecorder Logs { get; }
    public ServeOptions Options { get; }
    public Uri BaseAddress { get; }
    public HttpClient Client { get; }

    /// <summary>Starts a server; <paramref name="configure"/> changes the test defaults (2 MB, 8 s, queue of 2).</summary>
    public static async Task<ServerHarness> StartAsync(Func<ServeOptions, ServeOptions>? configure = null)
    {
        var options = new ServeOptions
        {
            ModelPath = TestModel.Path,
            Urls = "http://127.0.0.1:0",
            Limits = new MediaLimits { MaxUploadBytes = 2_000_000, MaxSeconds = 8 },
            QueueCapacity = 2,
            ProfilesDirectory = TestFolders.Fresh("profiles"),
            // Long enough for the queue tests' busy clip to finish on a loaded machine: a shutdown waits for the running analysis.
            ShutdownTimeout = TimeSpan.FromMinutes(5),
            Occlusion = CoarseOcclusion,
        };
        options = configure?.Invoke(options) ?? options;
        var logs = new LogRecorder();
        var server = await DemoServer.StartAsync(options, logging => logging.ClearProviders().AddProvider(logs));
        return new ServerHarness(server, logs, options);
    }

    /// <summary>Occlusion settings that keep a test's map to about 60 masks of a 456 x 256 frame (the demo's own
    /// default has 1,824, which takes minutes on a loaded 2-core machine).</summary>
    public static PixelOcclusionOptions CoarseOcclusion { get; } = new() { MaskSize = (48, 48), Stride = (48, 48), Frames = 1 };

    /// <summary>Posts <paramref name="path"/> as the page does: multipart, field <c>video</c>.</summary>
    public Task<HttpResponseMessage> PostClipAsync(string path, string? fileName = null, string contentType = "video/webm", CancellationToken cancellation = default,
        string endpoint = "/api/analyze") =>
        Client.PostAsync(endpoint, ClipForm(path, fileName, contentType), cancellation);

    /// <summary>The multipart body the page sends for <paramref name="path"/>.</summary>
    public static MultipartFormDataContent ClipForm(string path, string? fileName = null, string contentType = "video/webm")
    {
        var file = new ByteArrayContent(File.ReadAllBytes(path));
        // Unvalidated: a browser sends "video/webm;codecs=vp8,opus" as it is.
        file.Headers.TryAddWithoutValidation("Content-Type", contentType);
        return new MultipartFormDataContent { { file, UploadReceiver.FieldName, fileName ?? Path.GetFileName(path) } };
    }

    /// <summary>The server's <c>/api/health</c>.</summary>
    public async Task<HealthResponse> HealthAsync() => (await Client.GetFromJsonAsync<HealthResponse>("/api/health"))!;

    /// <summary>Polls health until <paramref name="condition"/> holds (or fails the test after <paramref name="seconds"/>).</summary>
    public async Task<HealthResponse> WaitForAsync(Func<QueueState, bool> condition, string what, double seconds = 60)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            var health = await HealthAsync();
            if (condition(health.Queue)) return health;
            if (DateTime.UtcNow > deadline) Assert.Fail($"waited {seconds} s for {what}; queue is {health.Queue}");
            await Task.Delay(20);
        }
    }

    /// <summary>Files left in the server's upload folder.</summary>
    public string[] LeftoverUploads() =>
        Directory.Exists(Server.UploadDirectory) ? Directory.GetFiles(Server.UploadDirectory) : [];

    /// <summary>Stops the server (a second call does nothing).</summary>
    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Server.DisposeAsync();
    }
}
