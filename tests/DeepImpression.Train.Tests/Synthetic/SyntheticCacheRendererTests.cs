using DeepImpression.Train.Data;
using DeepImpression.Train.Data.Cache;
using DeepImpression.Train.Data.Decoding;
using DeepImpression.Train.Synthetic;
using DeepImpression.Train.Tests.Data;

namespace DeepImpression.Train.Tests.Synthetic;

/// <summary>The synthetic set drawn straight into a cache (for machines without ffmpeg): the plan's clips and labels,
/// the frames a prepared cache would hold, planar as the cache stores them, and a rerun that adds nothing.</summary>
[TestFixture]
public class SyntheticCacheRendererTests
{
    [Test]
    public void TheCacheHoldsThePlansClipsLabelsVoiceAndEvenlySpacedFramesAndARerunAddsNothing()
    {
        var root = Path.Combine(Path.GetTempPath(), "deepimpression-tests", $"rendered-{Guid.NewGuid():N}");
        try
        {
            var options = TinySyntheticSet.Options(root);
            const int frames = 4;
            int added = SyntheticCacheRenderer.Render(options, root, frames, ["train", "validation"]);
            var plan = SyntheticPlan.Make(options.Clips, options.Seed).Where(c => c.Split != "test").ToList();
            Assert.That(added, Is.EqualTo(plan.Count));
            Assert.That(SyntheticCacheRenderer.Render(options, root, frames, ["train", "validation"]), Is.Zero, "a rerun adds nothing");

            using var cache = ClipCache.Open(root);
            Assert.That(cache.Clips.Select(c => c.Name), Is.EquivalentTo(plan.Select(c => c.Name)));
            var indices = ClipDecoder.EvenlySpacedFrames((int)Math.Round(options.Seconds * options.FramesPerSecond), frames);
            foreach (var clip in plan)
            {
                Assert.That(cache.TryGetIndex(clip.Name, out int i), Is.True);
                var cached = cache.Clips[i];
                Assert.That(cached.Split, Is.EqualTo(clip.Split));
                Assert.That(cached.Targets, Is.EqualTo(clip.Labels));
                Assert.That(cached.FrameCount, Is.EqualTo(frames));
                Assert.That(cache.Audio(i).ToArray(), Is.EqualTo(SyntheticVoice.Render(clip, options.Seconds)));
            }

            // The last frame of the first clip, drawn again (interleaved RGB), against the cache's planar copy.
            var first = plan[0];
            var rgb = new byte[options.FrameSize.BytesPerFrame];
            new SyntheticFrameRenderer(first, options.FrameSize, options.FramesPerSecond).Render(indices[^1], rgb);
            cache.TryGetIndex(first.Name, out int index);
            var planar = cache.Frame(index, frames - 1);
            int plane = options.FrameSize.Width * options.FrameSize.Height;
            for (int p = 0; p < plane; p += 97)
                for (int channel = 0; channel < ClipFormat.Channels; channel++)
                    Assert.That(planar[channel * plane + p], Is.EqualTo(rgb[3 * p + channel]), $"pixel {p}, channel {channel}");
        }
        finally
        {
            if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
        }
    }
}
