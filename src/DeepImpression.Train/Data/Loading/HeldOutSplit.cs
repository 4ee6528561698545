using DeepImpression.Core;
using DeepImpression.Core.Tensors;

namespace DeepImpression.Train.Data.Loading;

/// <summary>
/// Splits clips into a training part and a held-out part that share no YouTube ID, so the held-out score is not
/// inflated by faces the network has memorised. Deterministic for a seed.
/// </summary>
public static class HeldOutSplit
{
    /// <summary>
    /// Returns positions into <paramref name="clipNames"/>. Whole YouTube IDs, in an order shuffled by the seed, go to
    /// the held-out part until it holds at least <paramref name="fraction"/> of the clips.
    /// </summary>
    public static (int[] Train, int[] HeldOut) ByYouTubeId(IReadOnlyList<string> clipNames, double fraction, ulong seed)
    {
        if (!(fraction > 0 && fraction < 1)) throw new InvalidInputException($"held-out fraction {fraction}: must be between 0 and 1.");
        var groups = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        for (int i = 0; i < clipNames.Count; i++)
        {
            var id = ClipNames.YouTubeId(clipNames[i]);
            if (!groups.TryGetValue(id, out var list)) groups[id] = list = [];
            list.Add(i);
        }
        if (groups.Count < 2) throw new InvalidInputException($"a held-out split needs clips of at least two YouTube IDs; there are {groups.Count}.");

        var ids = groups.Keys.Order(StringComparer.Ordinal).ToArray();
        new Rng(seed).Shuffle(ids);
        int wanted = (int)Math.Ceiling(fraction * clipNames.Count);
        var heldOut = new List<int>();
        int taken = 0;
        // Always leave at least one ID for training.
        for (; taken < ids.Length - 1 && heldOut.Count < wanted; taken++) heldOut.AddRange(groups[ids[taken]]);
        var train = ids.Skip(taken).SelectMany(id => groups[id]).ToList();
        heldOut.Sort();
        train.Sort();
        return (train.ToArray(), heldOut.ToArray());
    }

    /// <summary>The same split applied to cache indices: returns subsets of <paramref name="clips"/>.</summary>
    public static (int[] Train, int[] HeldOut) ByYouTubeId(Cache.ClipCache cache, IReadOnlyList<int> clips, double fraction, ulong seed)
    {
        var (train, heldOut) = ByYouTubeId(clips.Select(c => cache.Clips[c].Name).ToArray(), fraction, seed);
        return (train.Select(p => clips[p]).ToArray(), heldOut.Select(p => clips[p]).ToArray());
    }
}
