using DeepImpression.Train.Devices;
using System.CommandLine;
using DeepImpression.Core;
using DeepImpression.Train.Serving;

namespace DeepImpression.Train.Commands;

/// <summary><c>deepimpression serve</c>: the demo page and its API (<see cref="DemoServer"/>).</summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var defaults = new ServeOptions { ModelPath = "" };
        var model = new Option<string?>("--model") { Description = "checkpoint or imported weights (default: the newest runs/*/best.npz of the working folder)" };
        var urls = new Option<string>("--urls") { Description = "addresses to listen on, separated by ';' (loopback unless you say otherwise)", DefaultValueFactory = _ => ServeOptions.DefaultUrls };
        var device = new Option<string>("--device") { Description = "cpu, cuda or cuda:N", DefaultValueFactory = _ => "cpu" };
        var maxUpload = new Option<double>("--max-upload-mb") { Description = "largest accepted upload in MB", DefaultValueFactory = _ => defaults.Limits.MaxUploadBytes / 1e6 };
        var maxSeconds = new Option<double>("--max-seconds") { Description = "longest accepted clip in seconds", DefaultValueFactory = _ => defaults.Limits.MaxSeconds };
        var queue = new Option<int>("--queue") { Description = "requests that may wait while one is analysed (more get 503)", DefaultValueFactory = _ => defaults.QueueCapacity };
        var recordSeconds = new Option<double>("--record-seconds") { Description = "length of the page's recording", DefaultValueFactory = _ => defaults.RecordingSeconds };
        var keepUploads = new Option<bool>("--keep-uploads") { Description = "leave uploads on disk after analysis (they are personal data)" };
        var profiles = new Option<string>("--profiles") { Description = "folder of jobs.csv and people.csv", DefaultValueFactory = _ => defaults.ProfilesDirectory };
        var jsonLogs = new Option<bool>("--log-json") { Description = "log JSON lines instead of plain text" };
        var noOcclusion = new Option<bool>("--no-occlusion") { Description = "no \"What drove this?\" occlusion maps (POST /api/occlusion answers 404)" };
        var command = new Command("serve", "Serve the demo: record or upload a short clip in the browser and see its apparent traits beside job profiles and reference people.")
        {
            model, urls, device, maxUpload, maxSeconds, queue, recordSeconds, keepUploads, profiles, jsonLogs, noOcclusion,
        };
        command.SetAction(parse =>
        {
            double megabytes = parse.GetValue(maxUpload), seconds = parse.GetValue(maxSeconds), record = parse.GetValue(recordSeconds);
            if (!(megabytes is > 0 and <= 4000)) throw new InvalidInputException("--max-upload-mb must be more than 0 and at most 4000.");
            if (!(seconds >= MediaLimits.MinimumSeconds && seconds <= 600))
                throw new InvalidInputException($"--max-seconds must be from {MediaLimits.MinimumSeconds:0.00} (what the model needs) to 600.");
            if (!(record >= MediaLimits.MinimumSeconds && record <= seconds)) throw new InvalidInputException($"--record-seconds must be from {MediaLimits.MinimumSeconds:0.00} to --max-seconds.");
            if (parse.GetValue(queue) < 0) throw new InvalidInputException("--queue must be 0 or more.");
            var options = new ServeOptions
            {
                ModelPath = DefaultModel.Resolve(parse.GetValue(model), Environment.CurrentDirectory),
                Urls = parse.GetValue(urls)!,
                Device = DeviceResolver.Resolve(parse.GetValue(device)!),
                Limits = defaults.Limits with { MaxUploadBytes = (long)(megabytes * 1e6), MaxSeconds = seconds },
                QueueCapacity = parse.GetValue(queue),
                RecordingSeconds = record,
                KeepUploads = parse.GetValue(keepUploads),
                ProfilesDirectory = parse.GetValue(profiles)!,
                JsonLogs = parse.GetValue(jsonLogs),
                Occlusion = parse.GetValue(noOcclusion) ? null : ServeOptions.DefaultOcclusion,
            };
            return Serve(options).GetAwaiter().GetResult();
        });
        return command;
    }

    private static async Task<int> Serve(ServeOptions options)
    {
        await using var server = await DemoServer.StartAsync(options);
        Console.WriteLine($"DeepImpression demo: open {string.Join(" or ", server.Addresses)} in a browser. Ctrl-C stops.");
        await server.WaitForShutdownAsync();
        return 0;
    }
}
