using DeepImpression.Train.Data;
using DeepImpression.Train.Data.Cache;
using DeepImpression.Train.Synthetic;

namespace DeepImpression.Train.Tests.Data;

/// <summary>The search for videos under <c>prepare --videos</c> on trees that links make endless (issue 16, item 1).</summary>
[TestFixture]
[Platform("Linux")]
public class FolderWalkTests
{
    private static bool IsVideo(string name) => name.EndsWith(".mp4", StringComparison.OrdinalIgnoreCase);

    [Test]
    public void Two_links_pointing_up_at_every_level_cost_one_visit_per_real_folder()
    {
        // Twenty nested folders, each with two links to its parent and one to the root: a walk by path doubles at
        // every level (2^20 folders before the kernel's link limit stops it); a walk by identity enters 21.
        using var folder = new ScratchFolder("walk");
        string level = folder["root"];
        Directory.CreateDirectory(level);
        var expected = new List<string>();
        for (int depth = 0; depth < 20; depth++)
        {
            string clip = Path.Combine(level, $"clip{depth:00}.mp4");
            File.WriteAllText(clip, "");
            expected.Add(clip);
            string child = Path.Combine(level, $"level{depth:00}");
            Directory.CreateDirectory(child);
            File.CreateSymbolicLink(Path.Combine(child, "up1"), "..");
            File.CreateSymbolicLink(Path.Combine(child, "up2"), "..");
            File.CreateSymbolicLink(Path.Combine(child, "top"), folder["root"]);
            level = child;
        }

        var walk = new FolderWalk(folder["root"]);
        var found = walk.Files(IsVideo).ToList();
        Assert.That(found, Is.EquivalentTo(expected));
        Assert.That(walk.FoldersEntered, Is.EqualTo(21));
        Assert.That(walk.Notes, Has.Count.EqualTo(60));
        Assert.That(walk.Notes, Has.All.Contain("already searched"));
    }

    [Test]
    public void A_link_to_a_folder_elsewhere_is_followed_once_and_files_are_yielded_in_name_order()
    {
        using var folder = new ScratchFolder("walk");
        Directory.CreateDirectory(folder["root/b"]);
        Directory.CreateDirectory(folder["elsewhere"]);
        File.WriteAllText(folder["root/b/2.mp4"], "");
        File.WriteAllText(folder["root/a.MP4"], "");
        File.WriteAllText(folder["root/notes.txt"], "");
        File.WriteAllText(folder["elsewhere/3.mp4"], "");
        File.CreateSymbolicLink(folder["root/c"], folder["elsewhere"]);
        File.CreateSymbolicLink(folder["root/d"], folder["elsewhere"]);
        File.CreateSymbolicLink(folder["root/e.mp4"], folder["root/b/2.mp4"]);

        var walk = new FolderWalk(folder["root"]);
        var found = walk.Files(IsVideo).ToList();
        Assert.That(found, Is.EqualTo(new[] { folder["root/a.MP4"], folder["root/e.mp4"], folder["root/b/2.mp4"], folder["root/c/3.mp4"] }));
        Assert.That(walk.FoldersEntered, Is.EqualTo(3));
        Assert.That(walk.Notes.Single(), Does.StartWith(folder["root/d"]));
    }

    // Decodes the tiny set's training clips: a few seconds.
    [Test, Category("Slow")]
    public void Prepare_over_a_link_loop_caches_each_video_once_and_skips_a_fifo_with_its_reason()
    {
        using var folder = new ScratchFolder("walk");
        var videos = TinySyntheticSet.CopySplit(SyntheticPlan.Train, folder.Path);
        Directory.CreateDirectory(Path.Combine(videos, "more"));
        File.CreateSymbolicLink(Path.Combine(videos, "more", "up1"), "..");
        File.CreateSymbolicLink(Path.Combine(videos, "more", "up2"), "..");
        TestMedia.MakeFifo(Path.Combine(videos, "more", "fifoAAAAAAA.000.mp4"));

        var report = ClipPreparer.Run(new PrepareRequest
        {
            VideosDirectory = videos,
            CacheDirectory = folder["cache"],
            Split = "train",
            FramesPerClip = 2,
            FrameSize = TinySyntheticSet.Size,
        });
        int trainClips = TinySyntheticSet.Report.Clips.Count(c => c.Split == SyntheticPlan.Train);
        Assert.That(report.Added, Is.EqualTo(trainClips));
        Assert.That(report.Skipped.Single().Clip, Is.EqualTo("fifoAAAAAAA.000.mp4"));
        Assert.That(report.Skipped.Single().Reason, Does.Contain("not a regular file but a FIFO"));
        Assert.That(report.Notes.Count(n => n.Contains("already searched")), Is.EqualTo(2));
    }
}
