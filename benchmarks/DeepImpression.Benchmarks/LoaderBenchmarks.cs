using BenchmarkDotNet.Attributes;
using DeepImpression.Train.Data;
using DeepImpression.Train.Data.Cache;
using DeepImpression.Train.Data.Decoding;
using DeepImpression.Train.Data.Labels;
using DeepImpression.Train.Data.Loading;

namespace DeepImpression.Benchmarks;

/// <summary>
/// Training examples per second the loader delivers from a clip cache: 64 clips of 15 s audio and 8 frames at
/// 456 x 256 (about 240 MB, read through the memory map), batches of 32 at the network's sizes (50,176 audio samples,
/// 224 x 224 crops). One operation is one example; examples per second = 1 / (time per operation).
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 2, iterationCount: 6)]
public class LoaderBenchmarks
{
    private const int Clips = 64;
    private const int FramesPerClip = 8;
    private const int BatchSize = 32;
    private const int Epochs = 4;
    private const int ExamplesPerInvoke = Epochs * Clips;

    private string _folder = "";
    private ClipCache _cache = null!;
    private TrainingLoader _loader = null!;

    [Params(0, 2)]
    public int Workers { get; set; }

    [GlobalSetup]
    public void MakeCache()
    {
        _folder = Path.Combine(Path.GetTempPath(), $"deepimpression-loader-bench-{Environment.ProcessId}");
        if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
        var size = FrameSize.Network;
        var random = new Random(1);
        using (var writer = ClipCacheWriter.Open(_folder, size, FramesPerClip))
        {
            var audio = new float[15 * ClipFormat.SampleRate];
            var frames = new byte[FramesPerClip * size.BytesPerFrame];
            for (int c = 0; c < Clips; c++)
            {
                for (int i = 0; i < audio.Length; i++) audio[i] = (float)(random.NextDouble() * 2 - 1);
                random.NextBytes(frames);
                var clip = new DecodedClip($"clip{c}", audio, frames, FramesPerClip, size);
                writer.Append($"bench{c / 4:00000}.{c % 4:000}.mp4", "train", clip, new TraitScores(0.5f, 0.5f, 0.5f, 0.5f, 0.5f), null, null);
            }
        }
        _cache = ClipCache.Open(_folder);
        _loader = new TrainingLoader(_cache, _cache.Split("train"), new TrainingLoaderOptions { BatchSize = BatchSize, Seed = 1, Workers = Workers });
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _cache.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    [Benchmark(OperationsPerInvoke = ExamplesPerInvoke)]
    public float DeliverExamples()
    {
        float checksum = 0;
        for (int epoch = 0; epoch < Epochs; epoch++)
        {
            foreach (var batch in _loader.Epoch(epoch))
            {
                checksum += batch.Frames[^1] + batch.Audio[^1];
                batch.Dispose();
            }
        }
        return checksum;
    }
}
