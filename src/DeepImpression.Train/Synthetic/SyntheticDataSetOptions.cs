using DeepImpression.Train.Data.Decoding;

namespace DeepImpression.Train.Synthetic;

/// <summary>What <see cref="SyntheticDataSet.Generate"/> makes.</summary>
public sealed record SyntheticDataSetOptions
{
    /// <summary>The folder to write the set into.</summary>
    public required string OutputDirectory { get; init; }

    /// <summary>How many clips, over the three splits.</summary>
    public int Clips { get; init; } = 96;

    /// <summary>Every score, cue and noise follows from this seed.</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>Length of every clip (the real clips are about 15 s).</summary>
    public double Seconds { get; init; } = 15;

    /// <summary>The size of the videos' frames.</summary>
    public FrameSize FrameSize { get; init; } = FrameSize.Network;

    /// <summary>Frames per second of the videos.</summary>
    public int FramesPerSecond { get; init; } = 30;

    /// <summary>Which cues the clips carry; <see cref="SyntheticVariant.LocalizedCues"/> puts one trait's visual cue in
    /// one region and one trait's audio cue in one time span (<see cref="SyntheticLocalizedCues"/>).</summary>
    public SyntheticVariant Variant { get; init; } = SyntheticVariant.Standard;

    /// <summary>Clips encoded at the same time (each ffmpeg single-threaded).</summary>
    public int Jobs { get; init; } = Math.Max(1, Environment.ProcessorCount);

    /// <summary>
    /// The small set the main command and the tests use by default: 72 clips of 4 s at 228 x 128 (the cache scales
    /// frames up to 456 x 256), made in seconds on two cores.
    /// </summary>
    public static SyntheticDataSetOptions EmbeddedDefault(string outputDirectory) => new()
    {
        OutputDirectory = outputDirectory,
        Clips = 72,
        Seed = 1,
        Seconds = 4,
        FrameSize = new FrameSize(228, 128),
    };
}
