using DeepImpression.Core.Tensors;

namespace DeepImpression.Train.Data.Loading;

/// <summary>
/// The random choices for one training example. They come from a generator seeded by (seed, epoch, position), not
/// from a shared stream, so a batch is the same whichever worker builds it and in whatever order.
/// </summary>
internal readonly record struct ExampleDraw(int AudioStart, int Frame, int CropX, int CropY, bool Flip)
{
    public static ExampleDraw Make(ulong seed, int epoch, int position, int audioSamples, int window, int frameCount, int frameWidth, int frameHeight, int crop, bool allowFlip)
    {
        var rng = new Rng(StreamSeed(seed, epoch, position));
        int audioStart = rng.NextInt(Math.Max(1, audioSamples - window + 1));
        int frame = rng.NextInt(frameCount);
        int x = rng.NextInt(frameWidth - crop + 1);
        int y = rng.NextInt(frameHeight - crop + 1);
        bool flip = rng.NextInt(2) == 1;
        return new ExampleDraw(audioStart, frame, x, y, allowFlip && flip);
    }

    /// <summary>A seed for the generator of one (epoch, position); <paramref name="position"/> -1 is the epoch's shuffle.</summary>
    public static ulong StreamSeed(ulong seed, int epoch, int position)
    {
        ulong h = Mix(seed ^ 0x243F6A8885A308D3UL);
        h = Mix(h ^ (ulong)(uint)epoch);
        return Mix(h ^ ((ulong)(uint)position << 1 | 1));
    }

    // The SplitMix64 finaliser: every input bit reaches every output bit.
    private static ulong Mix(ulong z)
    {
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
