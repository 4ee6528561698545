using DeepImpression.Core;
using DeepImpression.Train.Data.Cache;
using DeepImpression.Train.Data.Decoding;
using DeepImpression.Train.Data.Loading;

namespace DeepImpression.Train.Tests.Data;

[TestFixture]
public class TrainingLoaderTests
{
    private static readonly FrameSize Size = new(40, 30);
    private const int Clips = 12;
    private const int Window = 1000;
    private const int Crop = 16;

    private ScratchFolder _folder = null!;
    private ClipCache _cache = null!;

    [OneTimeSetUp]
    public void MakeCache()
    {
        _folder = new ScratchFolder("loader");
        PatternClips.WriteCache(_folder.Path, Clips, Size, framesPerClip: 3, baseSamples: 5000);
        _cache = ClipCache.Open(_folder.Path);
    }

    [OneTimeTearDown]
    public void Cleanup()
    {
        _cache.Dispose();
        _folder.Dispose();
    }

    private TrainingLoader Loader(ulong seed = 1, int workers = 2, int batch = 4, bool dropLast = true) =>
        new(_cache, Enumerable.Range(0, Clips).ToArray(), new TrainingLoaderOptions
        {
            BatchSize = batch, Seed = seed, Workers = workers, Prefetch = 2, AudioSamples = Window, CropSize = Crop, DropLast = dropLast,
        });

    private static int ClipNumber(string name) => (int)(int.Parse(name[2..5]) * 4 + int.Parse(name[12..15]));

    [Test]
    public void Batches_have_the_documented_shapes_and_targets()
    {
        var loader = Loader();
        Assert.That(loader.BatchesPerEpoch, Is.EqualTo(3));
        var batches = loader.Epoch(0).ToList();
        Assert.That(batches, Has.Count.EqualTo(3));
        foreach (var b in batches)
        {
            Assert.That(b.Count, Is.EqualTo(4));
            Assert.That(b.Audio, Has.Length.EqualTo(4 * Window));
            Assert.That(b.Frames, Has.Length.EqualTo(4 * 3 * Crop * Crop));
            Assert.That(b.Targets, Has.Length.EqualTo(4 * 5));
            for (int k = 0; k < 4; k++)
                Assert.That(b.Targets.AsSpan(k * 5, 5).ToArray(), Is.EqualTo(PatternClips.Targets(ClipNumber(b.Clips[k])).ToArray()));
        }
        // One epoch visits every clip once.
        Assert.That(batches.SelectMany(b => b.Clips), Is.EquivalentTo(Enumerable.Range(0, Clips).Select(PatternClips.Name)));
    }

    [Test]
    public void Every_example_is_exactly_the_drawn_window_and_crop_of_its_clip()
    {
        var loader = Loader();
        var order = loader.EpochOrder(0);
        foreach (var b in loader.Epoch(0))
        {
            for (int k = 0; k < b.Count; k++)
            {
                int position = b.Index * 4 + k;
                int clip = order[position];
                Assert.That(b.Clips[k], Is.EqualTo(PatternClips.Name(clip)));
                var d = loader.Draw(0, position, clip);
                Assert.That(d.AudioStart, Is.InRange(0, _cache.Clips[clip].AudioSamples - Window));
                for (int i = 0; i < Window; i++)
                    Assert.That(b.Audio[k * Window + i], Is.EqualTo(PatternClips.AudioValue(clip, d.AudioStart + i)));
                // Naive crop and mirror, straight from the pattern.
                for (int c = 0; c < 3; c++)
                    for (int y = 0; y < Crop; y++)
                        for (int x = 0; x < Crop; x++)
                        {
                            int sx = d.Flip ? d.CropX + Crop - 1 - x : d.CropX + x;
                            float expected = PatternClips.PixelValue(clip, d.Frame, c, d.CropY + y, sx);
                            Assert.That(b.Frames[((k * 3 + c) * Crop + y) * Crop + x], Is.EqualTo(expected));
                        }
            }
        }
    }

    [Test]
    public void Windows_frames_crops_and_flips_really_vary()
    {
        var loader = Loader();
        var draws = Enumerable.Range(0, 3).SelectMany(e => loader.EpochOrder(e).Select((clip, i) => loader.Draw(e, i, clip))).ToList();
        Assert.That(draws.Select(d => d.AudioStart).Distinct().Count(), Is.GreaterThan(20));
        Assert.That(draws.Select(d => d.Frame).Distinct().Count(), Is.EqualTo(3));
        Assert.That(draws.Select(d => d.CropX).Distinct().Count(), Is.GreaterThan(10));
        Assert.That(draws.Select(d => d.CropY).Distinct().Count(), Is.GreaterThan(8));
        int flips = draws.Count(d => d.Flip);
        Assert.That(flips, Is.InRange(draws.Count / 4, 3 * draws.Count / 4));
        // The same clip gives different examples in different epochs.
        var first = Loader().LoadBatch(0, 0);
        var second = Loader().LoadBatch(1, 0);
        Assert.That(first.Frames, Is.Not.EqualTo(second.Frames));
    }

    [Test]
    public void Batches_depend_on_the_seed_only_not_on_worker_timing()
    {
        var sequential = Loader(seed: 5, workers: 0).Epoch(2).Select(Snapshot).ToList();
        var threaded = Loader(seed: 5, workers: 2).Epoch(2).Select(Snapshot).ToList();
        var single = Loader(seed: 5, workers: 1).Epoch(2).Select(Snapshot).ToList();
        Assert.That(threaded, Is.EqualTo(sequential));
        Assert.That(single, Is.EqualTo(sequential));
        var other = Loader(seed: 6, workers: 2).Epoch(2).Select(Snapshot).ToList();
        Assert.That(other, Is.Not.EqualTo(sequential));
        var nextEpoch = Loader(seed: 5, workers: 2).Epoch(3).Select(Snapshot).ToList();
        Assert.That(nextEpoch, Is.Not.EqualTo(sequential));
    }

    [Test]
    public void An_epoch_can_resume_at_any_batch()
    {
        var full = Loader().Epoch(4).Select(Snapshot).ToList();
        var resumed = Loader().Epoch(4, firstBatch: 1).Select(Snapshot).ToList();
        Assert.That(resumed, Is.EqualTo(full.Skip(1).ToList()));
    }

    [Test]
    public void Reused_batches_are_refilled_correctly()
    {
        var loader = Loader();
        var expected = Loader(workers: 0).Epoch(0).Select(Snapshot).ToList();
        for (int round = 0; round < 3; round++)
        {
            var got = new List<string>();
            foreach (var b in loader.Epoch(0))
            {
                got.Add(Snapshot(b));
                b.Dispose();
            }
            Assert.That(got, Is.EqualTo(expected));
        }
    }

    [Test]
    public void Stopping_early_or_cancelling_does_not_hang()
    {
        var loader = Loader(batch: 1);
        Assert.That(loader.Epoch(0).Take(2).Count(), Is.EqualTo(2));
        using var cancel = new CancellationTokenSource();
        cancel.Cancel();
        Assert.Catch<OperationCanceledException>(() => loader.Epoch(0, 0, cancel.Token).ToList());
    }

    [Test]
    public void The_last_partial_batch_is_kept_when_asked()
    {
        var loader = Loader(batch: 5, dropLast: false);
        var sizes = loader.Epoch(0).Select(b => b.Count).ToList();
        Assert.That(sizes, Is.EqualTo(new[] { 5, 5, 2 }));
        Assert.That(Loader(batch: 5).Epoch(0).Count(), Is.EqualTo(2));
    }

    [Test]
    public void Clips_without_labels_or_crops_larger_than_frames_are_refused()
    {
        using var folder = new ScratchFolder("loader");
        using (var writer = ClipCacheWriter.Open(folder.Path, Size, 1))
            writer.Append("unlabelled0.000.mp4", "test", PatternClips.Make(0, 2000, 1, Size), null, null, null);
        using var cache = ClipCache.Open(folder.Path);
        var e = Assert.Throws<InvalidInputException>(() => _ = new TrainingLoader(cache, [0], new TrainingLoaderOptions { BatchSize = 1, CropSize = Crop }));
        Assert.That(e!.Message, Does.Contain("unlabelled0.000.mp4").And.Contain("no labels"));
        e = Assert.Throws<InvalidInputException>(() => _ = new TrainingLoader(_cache, [0], new TrainingLoaderOptions { BatchSize = 1 }));
        Assert.That(e!.Message, Does.Contain("224").And.Contain("40x30"));
    }

    [Test]
    public void Test_clips_hold_the_whole_audio_and_every_frame()
    {
        var clip = TestClip.Load(_cache, 3);
        Assert.That(clip.Clip, Is.EqualTo(PatternClips.Name(3)));
        Assert.That(clip.Audio, Has.Length.EqualTo(5000 + 3000));
        Assert.That(clip.Audio[1234], Is.EqualTo(PatternClips.AudioValue(3, 1234)));
        Assert.That(clip.FrameCount, Is.EqualTo(2));
        Assert.That(clip.Frames, Has.Length.EqualTo(2 * 3 * 30 * 40));
        Assert.That(clip.Frames[((1 * 3 + 2) * 30 + 7) * 40 + 11], Is.EqualTo((float)PatternClips.PixelValue(3, 1, 2, 7, 11)));
        Assert.That(clip.Targets, Is.EqualTo(PatternClips.Targets(3)));

        var all = TestClip.LoadAll(_cache, [5, 0, 7]).Select(c => c.Clip).ToList();
        Assert.That(all, Is.EqualTo(new[] { PatternClips.Name(5), PatternClips.Name(0), PatternClips.Name(7) }));
    }

    private static string Snapshot(TrainingBatch b) =>
        $"{b.Epoch}/{b.Index}:{string.Join(',', b.Clips)}:{Hash(b.Audio)}:{Hash(b.Frames)}:{Hash(b.Targets)}";

    private static string Hash(float[] values)
    {
        var bytes = System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan());
        return Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(bytes));
    }
}
