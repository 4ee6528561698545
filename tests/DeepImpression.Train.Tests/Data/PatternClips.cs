using DeepImpression.Train.Data.Cache;
using DeepImpression.Train.Data.Decoding;
using DeepImpression.Train.Data.Labels;

namespace DeepImpression.Train.Tests.Data;

/// <summary>
/// Decoded clips whose every sample and pixel is a known function of its position, so a test can tell exactly which
/// window, frame, crop and flip it was given.
/// </summary>
internal static class PatternClips
{
    public static float AudioValue(int clip, int sample) => ((clip * 7919 + sample) % 20_000) / 10_000f - 1f;

    public static byte PixelValue(int clip, int frame, int channel, int y, int x) => (byte)((clip * 31 + frame * 17 + channel * 83 + y * 7 + x * 3) % 251);

    public static DecodedClip Make(int clip, int samples, int frames, FrameSize size)
    {
        var audio = new float[samples];
        for (int i = 0; i < samples; i++) audio[i] = AudioValue(clip, i);
        var pixels = new byte[frames * size.BytesPerFrame];
        int k = 0;
        for (int f = 0; f < frames; f++)
            for (int c = 0; c < 3; c++)
                for (int y = 0; y < size.Height; y++)
                    for (int x = 0; x < size.Width; x++)
                        pixels[k++] = PixelValue(clip, f, c, y, x);
        return new DecodedClip($"clip{clip}", audio, pixels, frames, size);
    }

    public static TraitScores Targets(int clip) => new(0.1f + 0.01f * clip, 0.2f, 0.3f + 0.02f * clip, 0.4f, 0.5f);

    /// <summary>Clip names: several clips per fake YouTube ID (4 per ID).</summary>
    public static string Name(int clip) => $"id{clip / 4:000}xxxxxx.{clip % 4:000}.mp4";

    /// <summary>A cache of <paramref name="count"/> pattern clips, audio lengths and frame counts varying per clip.</summary>
    public static void WriteCache(string directory, int count, FrameSize size, int framesPerClip, int baseSamples = 60_000, string split = "train", long shardLimit = ClipCacheFiles.DefaultShardLimitBytes)
    {
        using var writer = ClipCacheWriter.Open(directory, size, framesPerClip, shardLimit);
        for (int i = 0; i < count; i++)
        {
            int frames = framesPerClip - i % 2;
            writer.Append(Name(i), split, Make(i, baseSamples + 1000 * i, Math.Max(1, frames), size), Targets(i), 0.5f, null);
        }
    }
}
