namespace DeepImpression.Train.Data;

/// <summary>The fixed sizes of what the network reads (docs/DESIGN.md sections 1 and 2).</summary>
internal static class ClipFormat
{
    /// <summary>Audio is decoded to mono float32 at this rate.</summary>
    public const int SampleRate = 16_000;

    /// <summary>One training example's audio window (about 3.1 s).</summary>
    public const int TrainingAudioSamples = 50_176;

    /// <summary>Frames are resized to this size before anything else looks at them.</summary>
    public const int FrameWidth = 456;

    public const int FrameHeight = 256;

    /// <summary>Side of the square training crop taken from a frame.</summary>
    public const int CropSize = 224;

    /// <summary>Colour channels of a frame (RGB).</summary>
    public const int Channels = 3;
}
