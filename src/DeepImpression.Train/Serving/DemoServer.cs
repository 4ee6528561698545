using System.Net;
using DeepImpression.Train.Evaluation;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DeepImpression.Train.Serving;

/// <summary>
/// The demo: an ASP.NET Core server with the page and its API around one <see cref="VideoPredictor"/>. It binds to
/// loopback unless told otherwise, bounds what it accepts (<see cref="MediaLimits"/>, one analysis at a time behind a
/// bounded queue), and on shutdown lets the running analysis finish, turns away the waiting ones, and removes its
/// upload folder.
/// </summary>
public sealed class DemoServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly AnalysisQueue _queue;
    private readonly UploadFolder _uploads;
    private int _disposed;

    private DemoServer(WebApplication app, AnalysisQueue queue, UploadFolder uploads)
    {
        _app = app;
        _queue = queue;
        _uploads = uploads;
    }

    /// <summary>The addresses the server listens on, with the ports it got.</summary>
    public IReadOnlyList<Uri> Addresses =>
        _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Select(a => new Uri(a)).ToList();

    /// <summary>The private folder uploads go to while they are analysed.</summary>
    public string UploadDirectory => _uploads.Path;

    /// <summary>
    /// Loads the model and the profiles, and starts listening. A missing or broken model or profile file throws
    /// <see cref="DeepImpression.Core.InvalidInputException"/>; an address in use, <see cref="IOException"/>.
    /// </summary>
    /// <param name="options">What to serve and how.</param>
    /// <param name="configureLogging">Extra logging set-up (tests add a recorder); console logging is always on.</param>
    /// <param name="cancellation">Cancels the start.</param>
    public static async Task<DemoServer> StartAsync(ServeOptions options, Action<ILoggingBuilder>? configureLogging = null, CancellationToken cancellation = default)
    {
        var predictor = new VideoPredictor(ModelFile.Load(options.ModelPath, options.Device));

        var listens = options.Urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        // "http://+:80" and "http://*:80" mean every interface.
        bool loopbackOnly = listens.All(u => Uri.TryCreate(u.Replace("://+", "://0.0.0.0", StringComparison.Ordinal).Replace("://*", "://0.0.0.0", StringComparison.Ordinal),
                                                           UriKind.Absolute, out var uri) && IsLoopback(uri));
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            EnvironmentName = Environments.Production,
            ContentRootPath = AppContext.BaseDirectory,
            Args = [],
        });
        builder.WebHost.UseUrls(listens);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = options.Limits.MaxUploadBytes + UploadReceiver.EnvelopeBytes;
            kestrel.Limits.MaxConcurrentConnections = 256;
        });
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = options.ShutdownTimeout);
        // On loopback, only loopback names: a web page that rebinds its own domain name to 127.0.0.1 gets 400.
        builder.Services.AddHostFiltering(filter =>
        {
            filter.AllowedHosts = loopbackOnly ? ["localhost", "127.0.0.1", "[::1]"] : ["*"];
            filter.IncludeFailureMessage = false;
        });
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Information);
        // ASP.NET's own information lines repeat what ours say; its warnings and errors stay.
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        // A failed start (address in use) is reported once, as the command's one error line, not as a logged stack trace.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical);
        if (options.JsonLogs) builder.Logging.AddJsonConsole(json => json.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffK");
        else builder.Logging.AddSimpleConsole(console =>
        {
            console.SingleLine = true;
            console.TimestampFormat = "yyyy-MM-dd HH:mm:ss ";
        });
        configureLogging?.Invoke(builder.Logging);

        var app = builder.Build();
        var loggers = app.Services.GetRequiredService<ILoggerFactory>();
        var log = loggers.CreateLogger<DemoServer>();
        LiveProfiles profiles;
        try
        {
            profiles = new LiveProfiles(new ProfileStore(options.ProfilesDirectory), loggers.CreateLogger<LiveProfiles>());
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
        var queue = new AnalysisQueue(options.QueueCapacity);
        var uploads = new UploadFolder(options.KeepUploads);
        var server = new DemoServer(app, queue, uploads);
        var analysis = new AnalysisService(predictor, queue, uploads, profiles, options.Limits, options.ClosestCount, options.Occlusion, loggers.CreateLogger<AnalysisService>());

        app.Use((context, next) => RequestIds.Middleware(context, next, loggers.CreateLogger("DeepImpression.Requests")));
        app.UseHostFiltering();
        DemoEndpoints.Map(app, analysis, queue, profiles, options, ModelName(options.ModelPath), options.Device);
        app.Lifetime.ApplicationStopping.Register(() =>
        {
            log.LogInformation("stopping: the running analysis may finish, {Waiting} waiting requests are turned away", queue.Waiting);
            queue.Close();
        });
        try
        {
            await app.StartAsync(cancellation);
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
        foreach (var address in server.Addresses)
            if (!IsLoopback(address))
                log.LogWarning("listening on {Address}, which other machines can reach: the demo has no sign-in, and clips are personal data", address);
        log.LogInformation("model {Model} on {Device}; uploads in {UploadDirectory}{Kept}; profiles in {ProfilesDirectory}",
            options.ModelPath, options.Device, uploads.Path, options.KeepUploads ? " (kept)" : "", options.ProfilesDirectory);
        return server;
    }

    /// <summary>Completes when the server has been asked to stop (Ctrl-C, SIGTERM, or <see cref="StopAsync"/>).</summary>
    public Task WaitForShutdownAsync(CancellationToken cancellation = default) => _app.WaitForShutdownAsync(cancellation);

    /// <summary>Stops gracefully: no new requests, the waiting ones get 503, the running one finishes.</summary>
    public Task StopAsync(CancellationToken cancellation = default) => _app.StopAsync(cancellation);

    /// <summary>Releases the server and removes the upload folder (unless uploads are kept); a second call does nothing.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        await _app.DisposeAsync();
        _queue.Dispose();
        _uploads.Dispose();
    }

    private static bool IsLoopback(Uri address) =>
        address.IsLoopback || (IPAddress.TryParse(address.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));

    // Enough to tell models apart in /api/health without showing where the server keeps its files.
    private static string ModelName(string path)
    {
        string full = Path.GetFullPath(path);
        string? folder = Path.GetFileName(Path.GetDirectoryName(full));
        return string.IsNullOrEmpty(folder) ? Path.GetFileName(full) : $"{folder}/{Path.GetFileName(full)}";
    }
}
