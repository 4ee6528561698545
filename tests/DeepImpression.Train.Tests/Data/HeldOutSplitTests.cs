using DeepImpression.Core;
using DeepImpression.Train.Data;
using DeepImpression.Train.Data.Loading;

namespace DeepImpression.Train.Tests.Data;

[TestFixture]
public class HeldOutSplitTests
{
    private static readonly string[] Names = Enumerable.Range(0, 300).Select(i => $"ID{i % 37:00}abcdefg.{i / 37:000}.mp4").ToArray();

    [Test]
    public void No_YouTube_ID_is_on_both_sides_and_every_clip_is_used_once()
    {
        var (train, heldOut) = HeldOutSplit.ByYouTubeId(Names, 0.2, seed: 3);
        Assert.That(train.Concat(heldOut).Order(), Is.EqualTo(Enumerable.Range(0, Names.Length)));
        var trainIds = train.Select(i => ClipNames.YouTubeId(Names[i])).ToHashSet();
        Assert.That(heldOut.Select(i => ClipNames.YouTubeId(Names[i])).Any(trainIds.Contains), Is.False);
        Assert.That(heldOut.Length, Is.InRange(60, 60 + 9));
    }

    [Test]
    public void The_split_is_fixed_by_the_seed()
    {
        var first = HeldOutSplit.ByYouTubeId(Names, 0.2, 3).HeldOut;
        var again = HeldOutSplit.ByYouTubeId(Names.ToArray(), 0.2, 3).HeldOut;
        var otherSeed = HeldOutSplit.ByYouTubeId(Names, 0.2, 4).HeldOut;
        Assert.That(again, Is.EqualTo(first));
        Assert.That(otherSeed, Is.Not.EqualTo(first));
    }

    [Test]
    public void The_YouTube_ID_is_the_name_up_to_the_first_dot()
    {
        Assert.That(ClipNames.YouTubeId("J4GQm9j0JZ0.003.mp4"), Is.EqualTo("J4GQm9j0JZ0"));
        Assert.That(ClipNames.YouTubeId("/videos/train/-a_b.c.001.mp4"), Is.EqualTo("-a_b"));
        Assert.That(ClipNames.YouTubeId("plain"), Is.EqualTo("plain"));
    }

    [Test]
    public void Impossible_requests_are_refused()
    {
        Assert.Throws<InvalidInputException>(() => HeldOutSplit.ByYouTubeId(Names, 1.5, 0));
        Assert.Throws<InvalidInputException>(() => HeldOutSplit.ByYouTubeId(["a.000.mp4", "a.001.mp4"], 0.5, 0));
    }
}
