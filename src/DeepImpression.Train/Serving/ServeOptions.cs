using DeepImpression.Core.Tensors;
using DeepImpression.Train.Analysis.Occlusion;

namespace DeepImpression.Train.Serving;

/// <summary>How <c>deepimpression serve</c> runs the demo.</summary>
public sealed record ServeOptions
{
    /// <summary>Loopback only: nothing outside this machine can reach the demo unless asked.</summary>
    public const string DefaultUrls = "http://127.0.0.1:5080";

    /// <summary>The checkpoint or imported weights to analyse with.</summary>
    public required string ModelPath { get; init; }

    /// <summary>Addresses to listen on, separated by ';' (port 0 picks a free port).</summary>
    public string Urls { get; init; } = DefaultUrls;

    /// <summary>Where the model runs.</summary>
    public Device Device { get; init; } = Device.Cpu;

    /// <summary>Upload size and media length limits.</summary>
    public MediaLimits Limits { get; init; } = new();

    /// <summary>Requests that may wait while one is analysed; more get 503 with Retry-After.</summary>
    public int QueueCapacity { get; init; } = 4;

    /// <summary>Length of the page's recording (the model was trained on 15-s clips).</summary>
    public double RecordingSeconds { get; init; } = 15;

    /// <summary>Leave uploads on disk after their analysis (for debugging; they are private data).</summary>
    public bool KeepUploads { get; init; }

    /// <summary>The folder of <c>jobs.csv</c> and <c>people.csv</c>.</summary>
    public string ProfilesDirectory { get; init; } = ProfileStore.DefaultDirectory;

    /// <summary>Closest job profiles and reference people shown with each result.</summary>
    public int ClosestCount { get; init; } = 3;

    /// <summary>How long a shutdown waits for the running analysis before giving up on it.</summary>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Log as JSON lines (one object per event) instead of plain lines.</summary>
    public bool JsonLogs { get; init; }

    /// <summary>
    /// How the page's "What drove this?" map is computed (<c>POST /api/occlusion</c>), or null for a server without it.
    /// Coarser than the poster's 10 x 10 masks every 4 pixels, so that a map of one frame takes seconds, not minutes,
    /// on a CPU: 16 x 16 masks every 8 pixels, 1,824 of them over the middle frame.
    /// </summary>
    public PixelOcclusionOptions? Occlusion { get; init; } = DefaultOcclusion;

    /// <summary>The demo's occlusion settings unless told otherwise.</summary>
    public static PixelOcclusionOptions DefaultOcclusion { get; } = new() { MaskSize = (16, 16), Stride = (8, 8), Frames = 1 };
}
