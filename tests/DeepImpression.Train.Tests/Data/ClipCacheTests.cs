using DeepImpression.Core;
using DeepImpression.Train.Data.Cache;
using DeepImpression.Train.Data.Decoding;

namespace DeepImpression.Train.Tests.Data;

[TestFixture]
public class ClipCacheTests
{
    private static readonly FrameSize Size = new(40, 30);

    private static void AssertClipIntact(ClipCache cache, int clipNumber)
    {
        Assert.That(cache.TryGetIndex(PatternClips.Name(clipNumber), out int index), Is.True, $"clip {clipNumber} missing");
        var audio = cache.Audio(index);
        for (int i = 0; i < audio.Length; i += 97) Assert.That(audio[i], Is.EqualTo(PatternClips.AudioValue(clipNumber, i)));
        Assert.That(audio[^1], Is.EqualTo(PatternClips.AudioValue(clipNumber, audio.Length - 1)));
        for (int f = 0; f < cache.Clips[index].FrameCount; f++)
        {
            var frame = cache.Frame(index, f);
            Assert.That(frame[0], Is.EqualTo(PatternClips.PixelValue(clipNumber, f, 0, 0, 0)));
            Assert.That(frame[^1], Is.EqualTo(PatternClips.PixelValue(clipNumber, f, 2, Size.Height - 1, Size.Width - 1)));
            Assert.That(frame[Size.Width * Size.Height + 5 * Size.Width + 9], Is.EqualTo(PatternClips.PixelValue(clipNumber, f, 1, 5, 9)));
        }
    }

    [Test]
    public void Appended_clips_read_back_exactly_with_labels_and_split()
    {
        using var folder = new ScratchFolder("cache");
        PatternClips.WriteCache(folder.Path, 6, Size, framesPerClip: 3);
        using var cache = ClipCache.Open(folder.Path);
        Assert.That(cache.Count, Is.EqualTo(6));
        Assert.That(cache.FrameSize, Is.EqualTo(Size));
        for (int i = 0; i < 6; i++)
        {
            AssertClipIntact(cache, i);
            var c = cache.Clips[i];
            Assert.That(c.Name, Is.EqualTo(PatternClips.Name(i)));
            Assert.That(c.Split, Is.EqualTo("train"));
            Assert.That(c.AudioSamples, Is.EqualTo(60_000 + 1000 * i));
            Assert.That(c.FrameCount, Is.EqualTo(3 - i % 2));
            Assert.That(c.Targets, Is.EqualTo(PatternClips.Targets(i)));
            Assert.That(c.Interview, Is.EqualTo(0.5f));
        }
        Assert.That(cache.Split("train"), Is.EqualTo(Enumerable.Range(0, 6)));
        Assert.That(cache.Split("validation"), Is.Empty);
    }

    [Test]
    public void Clips_are_indexed_by_split_and_name_whatever_order_prepare_wrote_them_in()
    {
        // Parallel prepare jobs finish in any order; a seed must shuffle the same clips into the same epochs anyway.
        var orders = new[] { new[] { 5, 0, 3, 1, 4, 2 }, new[] { 2, 4, 1, 0, 5, 3 } };
        var seen = new List<string[]>();
        foreach (var order in orders)
        {
            using var folder = new ScratchFolder("cache");
            using (var writer = ClipCacheWriter.Open(folder.Path, Size, 2))
                foreach (int i in order)
                    writer.Append(PatternClips.Name(i), i % 3 == 0 ? "validation" : "train", PatternClips.Make(i, 20_000 + 100 * i, 2, Size), PatternClips.Targets(i), null, null);
            using var cache = ClipCache.Open(folder.Path);
            var names = cache.Clips.Select(c => c.Split + "/" + c.Name).ToArray();
            Assert.That(names, Is.Ordered.Using((IComparer<string>)StringComparer.Ordinal));
            Assert.That(cache.Split("train").Select(i => cache.Clips[i].Name), Is.EqualTo(new[] { 1, 2, 4, 5 }.Select(PatternClips.Name)));
            for (int i = 0; i < 6; i++) AssertClipIntact(cache, i);
            seen.Add(names);
        }
        Assert.That(seen[1], Is.EqualTo(seen[0]));
    }

    [Test]
    public void Data_spreads_over_several_shards_when_one_would_grow_too_large()
    {
        using var folder = new ScratchFolder("cache");
        // Each clip is about 60 kB of data: a 150 kB limit puts two per shard.
        PatternClips.WriteCache(folder.Path, 5, Size, framesPerClip: 2, baseSamples: 12_000, shardLimit: 150_000);
        Assert.That(File.Exists(ClipCacheFiles.Shard(folder.Path, 2)), Is.True);
        Assert.That(new FileInfo(ClipCacheFiles.Shard(folder.Path, 0)).Length, Is.LessThanOrEqualTo(150_000));
        using var cache = ClipCache.Open(folder.Path);
        for (int i = 0; i < 5; i++) AssertClipIntact(cache, i);
    }

    [Test]
    public void A_torn_index_line_and_orphan_data_from_a_killed_run_are_dropped_and_appending_resumes()
    {
        using var folder = new ScratchFolder("cache");
        PatternClips.WriteCache(folder.Path, 3, Size, framesPerClip: 2);
        string shard = ClipCacheFiles.Shard(folder.Path, 0);
        long goodLength = new FileInfo(shard).Length;
        // What a kill leaves: data of a clip in flight, and half of its index line.
        File.AppendAllText(shard, new string('x', 5000));
        File.AppendAllText(ClipCacheFiles.Index(folder.Path), "{\"clip\":\"idXXX.000.mp4\",\"split\":\"tr");

        using (var reader = ClipCache.Open(folder.Path))
        {
            Assert.That(reader.Count, Is.EqualTo(3));
            for (int i = 0; i < 3; i++) AssertClipIntact(reader, i);
        }

        using (var writer = ClipCacheWriter.Open(folder.Path, Size, 2))
        {
            Assert.That(writer.RecoveryNotes, Has.Count.EqualTo(2));
            Assert.That(new FileInfo(shard).Length, Is.EqualTo(goodLength));
            writer.Append(PatternClips.Name(3), "train", PatternClips.Make(3, 50_000, 2, Size), PatternClips.Targets(3), null, null);
        }
        using var cache = ClipCache.Open(folder.Path);
        Assert.That(cache.Count, Is.EqualTo(4));
        for (int i = 0; i < 4; i++) AssertClipIntact(cache, i);
        Assert.That(File.ReadAllLines(ClipCacheFiles.Index(folder.Path)), Has.Length.EqualTo(4));
    }

    [Test]
    public void A_truncated_shard_is_refused_naming_the_clips_until_prepare_repair_drops_them()
    {
        // An index entry can never point past its data (the data is flushed first): a shorter shard is corruption.
        using var folder = new ScratchFolder("cache");
        PatternClips.WriteCache(folder.Path, 3, Size, framesPerClip: 2);
        string shard = ClipCacheFiles.Shard(folder.Path, 0);
        using (var s = new FileStream(shard, FileMode.Open)) s.SetLength(s.Length - 10);
        long truncated = new FileInfo(shard).Length;

        string expected = $"{folder.Path}: damaged clip cache: data-000.bin ends at byte {truncated:N0} (truncated?) but 1 clip is indexed past its end: {PatternClips.Name(2)}. " +
                          $"Run 'deepimpression prepare --repair --out {folder.Path}' to drop these entries; the next prepare decodes those clips again.";
        var e = Assert.Throws<InvalidInputException>(() => ClipCache.Open(folder.Path).Dispose());
        Assert.That(e!.Message, Is.EqualTo(expected));
        e = Assert.Throws<InvalidInputException>(() => ClipCacheWriter.Open(folder.Path, Size, 2).Dispose());
        Assert.That(e!.Message, Is.EqualTo(expected));

        var notes = ClipCacheWriter.Repair(folder.Path);
        Assert.That(notes.Any(n => n.Contains(PatternClips.Name(2)) && n.StartsWith("repaired")), Is.True);
        Assert.That(ClipCacheWriter.Repair(folder.Path), Is.Empty, "a repaired cache needs no more repair");
        using (var writer = ClipCacheWriter.Open(folder.Path, Size, 2))
        {
            Assert.That(writer.Count, Is.EqualTo(2));
            Assert.That(writer.TryGet(PatternClips.Name(2), out _), Is.False);
            writer.Append(PatternClips.Name(2), "train", PatternClips.Make(2, 62_000, 2, Size), PatternClips.Targets(2), 0.5f, null);
        }
        using var cache = ClipCache.Open(folder.Path);
        for (int i = 0; i < 3; i++) AssertClipIntact(cache, i);
    }

    [Test]
    public void A_split_is_never_dropped_silently()
    {
        // The case: the validation clips sat at the end of the shard; cut off, the split used to vanish and
        // training quietly held out 20 % of train instead.
        using var folder = new ScratchFolder("cache");
        PatternClips.WriteCache(folder.Path, 4, Size, framesPerClip: 2);
        long validationStart;
        using (var writer = ClipCacheWriter.Open(folder.Path, Size, 2))
        {
            validationStart = writer.Append(PatternClips.Name(4), "validation", PatternClips.Make(4, 50_000, 2, Size), PatternClips.Targets(4), null, null).AudioOffset;
            writer.Append(PatternClips.Name(5), "validation", PatternClips.Make(5, 50_000, 2, Size), PatternClips.Targets(5), null, null);
        }
        string shard = ClipCacheFiles.Shard(folder.Path, 0);
        using (var s = new FileStream(shard, FileMode.Open)) s.SetLength(validationStart + 1000);

        var e = Assert.Throws<InvalidInputException>(() => ClipCache.Open(folder.Path).Dispose());
        Assert.That(e!.Message, Does.Contain("2 clips are indexed past its end: " + PatternClips.Name(4) + ", " + PatternClips.Name(5)));
    }

    [TestCase("{\"clip\":null,\"split\":\"train\",\"shard\":0,\"audioOffset\":0,\"audioSamples\":1,\"framesOffset\":64,\"frameCount\":1}", "line 2 ('clip' is null)")]
    [TestCase("{\"clip\":\"x.mp4\",\"split\":null,\"shard\":0,\"audioOffset\":0,\"audioSamples\":1,\"framesOffset\":64,\"frameCount\":1}", "line 2 ('split' is null)")]
    [TestCase("{\"clip\":\"x.mp4\"}", "line 2 (missing 'split', 'shard'")]
    [TestCase("{\"clip\":\"x.mp4\",\"split\":\"train\",\"shard\":0,\"audioOffset\":0,\"audioSamples\":1,\"framesOffset\":64,\"frameCount\":1,\"targets\":[1,2]}", "line 2 (x.mp4: targets are not five finite numbers)")]
    [TestCase("null", "line 2 (")]
    public void An_index_line_that_is_not_an_entry_is_damage_named_by_its_line(string line, string problem)
    {
        using var folder = new ScratchFolder("cache");
        PatternClips.WriteCache(folder.Path, 3, Size, framesPerClip: 2);
        string index = ClipCacheFiles.Index(folder.Path);
        var lines = File.ReadAllLines(index);
        lines[1] = line;
        File.WriteAllLines(index, lines);
        var e = Assert.Throws<InvalidInputException>(() => ClipCache.Open(folder.Path).Dispose());
        Assert.That(e!.Message, Does.StartWith($"{folder.Path}: damaged clip cache: index.jsonl has 1 line that is not a cache entry: {problem}"));
        Assert.That(e.Message, Does.Not.Contain("\n"));
    }

    [Test]
    public void An_index_line_nested_without_end_is_damage_not_a_crash()
    {
        using var folder = new ScratchFolder("cache");
        PatternClips.WriteCache(folder.Path, 2, Size, framesPerClip: 2);
        File.AppendAllText(ClipCacheFiles.Index(folder.Path), "{\"extra\":" + new string('[', 100_000) + "\n");
        var e = Assert.Throws<InvalidInputException>(() => ClipCache.Open(folder.Path).Dispose());
        Assert.That(e!.Message, Does.Contain($"line 3 (nested deeper than {DeepImpression.Train.Data.JsonInput.MaxDepth} levels)"));
        Assert.That(ClipCacheWriter.Repair(folder.Path).Single(), Does.Contain("dropped 1 damaged index line"));
        using var cache = ClipCache.Open(folder.Path);
        Assert.That(cache.Count, Is.EqualTo(2));
    }

    [Test]
    public void A_damaged_line_in_the_middle_of_the_index_is_an_error_naming_the_file()
    {
        using var folder = new ScratchFolder("cache");
        PatternClips.WriteCache(folder.Path, 3, Size, framesPerClip: 2);
        string index = ClipCacheFiles.Index(folder.Path);
        var lines = File.ReadAllLines(index);
        lines[1] = "garbage";
        File.WriteAllLines(index, lines);
        var e = Assert.Throws<InvalidInputException>(() => ClipCache.Open(folder.Path).Dispose());
        Assert.That(e!.Message, Does.Contain(folder.Path).And.Contain("index.jsonl has 1 line that is not a cache entry: line 2"));
    }

    [Test]
    public void Other_settings_for_an_existing_cache_are_refused()
    {
        using var folder = new ScratchFolder("cache");
        PatternClips.WriteCache(folder.Path, 1, Size, framesPerClip: 2);
        var e = Assert.Throws<InvalidInputException>(() => ClipCacheWriter.Open(folder.Path, Size, 4).Dispose());
        Assert.That(e!.Message, Does.Contain(folder.Path).And.Contain("2 frames"));
        e = Assert.Throws<InvalidInputException>(() => ClipCacheWriter.Open(folder.Path, new FrameSize(456, 256), 2).Dispose());
        Assert.That(e!.Message, Does.Contain("40x30"));
    }

    [Test]
    public void Two_writers_cannot_share_a_cache()
    {
        using var folder = new ScratchFolder("cache");
        using var first = ClipCacheWriter.Open(folder.Path, Size, 2);
        var e = Assert.Throws<InvalidInputException>(() => ClipCacheWriter.Open(folder.Path, Size, 2).Dispose());
        Assert.That(e!.Message, Does.Contain("another prepare"));
    }

    [Test]
    public void A_folder_that_is_not_a_cache_is_named()
    {
        using var folder = new ScratchFolder("cache");
        var e = Assert.Throws<InvalidInputException>(() => ClipCache.Open(folder.Path).Dispose());
        Assert.That(e!.Message, Does.Contain(folder.Path).And.Contain("not a clip cache"));
        File.WriteAllText(ClipCacheFiles.Header(folder.Path), "{ not json");
        e = Assert.Throws<InvalidInputException>(() => ClipCache.Open(folder.Path).Dispose());
        Assert.That(e!.Message, Does.Contain(ClipCacheFiles.Header(folder.Path)));
    }
}
