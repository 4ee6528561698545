using DeepImpression.Cuda.Memory;

namespace DeepImpression.Cuda.Tests.HostSide;

[TestFixture]
public class CachingAllocatorTests
{
    /// <summary>Hands out fake addresses and keeps count, optionally with a capacity that runs out.</summary>
    private sealed class FakeSource(long capacity = long.MaxValue) : IDeviceMemorySource
    {
        private readonly Dictionary<ulong, long> _live = new();
        private ulong _next = 0x10000;
        public int Allocations, Frees, Synchronizations;
        public long LiveBytes => _live.Values.Sum();

        public bool TryAllocate(long bytes, out ulong address)
        {
            address = 0;
            if (LiveBytes + bytes > capacity) return false;
            address = _next;
            _next += (ulong)bytes;
            _live.Add(address, bytes);
            Allocations++;
            return true;
        }

        public void Free(ulong address)
        {
            Assert.That(_live.Remove(address), Is.True, $"free of unknown address {address:x}");
            Frees++;
        }

        public void Synchronize() => Synchronizations++;
    }

    [Test]
    public void SizeClassesCoverTheRequestWithAtMostAQuarterSlackAndFourClassesPerOctave()
    {
        var classes = new SortedSet<long>();
        for (long bytes = 1; bytes <= 1 << 20; bytes += 37)
        {
            long c = CachingAllocator.SizeClass(bytes);
            Assert.That(c, Is.GreaterThanOrEqualTo(bytes));
            Assert.That(c, Is.LessThanOrEqualTo(Math.Max(CachingAllocator.MinimumBlock, bytes * 5 / 4 + 1)), $"class of {bytes}");
            Assert.That(CachingAllocator.SizeClass(c), Is.EqualTo(c), "a class is its own class");
            classes.Add(c);
        }
        // Between 64 KiB (exclusive) and 128 KiB (inclusive) there are exactly four classes.
        Assert.That(classes.Count(c => c > 65536 && c <= 131072), Is.EqualTo(4));
        Assert.That(CachingAllocator.SizeClass(0), Is.EqualTo(CachingAllocator.MinimumBlock));
        Assert.That(CachingAllocator.SizeClass(1 << 20), Is.EqualTo(1 << 20));
        Assert.That(CachingAllocator.SizeClass((1 << 20) + 1), Is.EqualTo((1 << 20) + (1 << 18)));
    }

    [Test]
    public void ASteadyLoopOfAllocationsReachesTheSourceOnlyDuringItsFirstPass()
    {
        var source = new FakeSource();
        using var allocator = new CachingAllocator(source);
        long[] sizes = [4 * 32 * 3 * 224 * 224, 4 * 1000, 4 * 1000, 4 * 5, 4 * 32 * 112 * 112, 4 * 7];
        for (int step = 0; step < 5; step++)
        {
            var blocks = sizes.Select(allocator.Rent).ToList();
            Assert.That(blocks.Select(b => b.Address), Is.Unique, "blocks lent at the same time never overlap");
            foreach (var b in blocks) allocator.Return(b);
            if (step == 0) Assert.That(source.Allocations, Is.EqualTo(sizes.Length));
        }
        Assert.That(source.Allocations, Is.EqualTo(sizes.Length), "no driver allocation after the first step");
        Assert.That(allocator.SourceAllocations, Is.EqualTo(sizes.Length));
        Assert.That(allocator.InUseBytes, Is.Zero);
        Assert.That(allocator.ReservedBytes, Is.EqualTo(sizes.Sum(CachingAllocator.SizeClass)));
        Assert.That(allocator.PeakInUseBytes, Is.EqualTo(sizes.Sum(CachingAllocator.SizeClass)));
    }

    [Test]
    public void ABlockOfTheSameClassIsReusedAndOthersAreNot()
    {
        var source = new FakeSource();
        using var allocator = new CachingAllocator(source);
        var a = allocator.Rent(1000);
        allocator.Return(a);
        var b = allocator.Rent(900);   // same 1024-byte class
        Assert.That(b.Address, Is.EqualTo(a.Address));
        var c = allocator.Rent(5000);  // another class: fresh memory
        Assert.That(c.Address, Is.Not.EqualTo(a.Address));
        Assert.That(source.Allocations, Is.EqualTo(2));
    }

    [Test]
    public void WhenTheDeviceIsFullTheCacheIsReleasedAndTheRequestRetried()
    {
        var source = new FakeSource(capacity: 4096);
        using var allocator = new CachingAllocator(source);
        var small = allocator.Rent(3000);      // class 3072
        allocator.Return(small);               // cached, still held from the source
        var big = allocator.Rent(4000);        // class 4096: only fits once the cache is given back
        Assert.That(big.Bytes, Is.EqualTo(4096));
        Assert.That(source.Frees, Is.EqualTo(1));
        Assert.That(source.Synchronizations, Is.GreaterThanOrEqualTo(1), "queued work is waited for before freeing");
        Assert.That(allocator.ReservedBytes, Is.EqualTo(4096));
    }

    [Test]
    public void OutOfMemoryAfterReleasingTheCacheSaysHowMuchWasAskedAndHeld()
    {
        var source = new FakeSource(capacity: 8192);
        using var allocator = new CachingAllocator(source);
        allocator.Rent(6000);
        var e = Assert.Throws<OutOfMemoryException>(() => allocator.Rent(4000))!;
        Assert.That(e.Message, Does.Contain("out of memory").And.Contain("MiB requested").And.Contain("in use"));
    }

    [Test]
    public void ReleaseCachedGivesBackOnlyFreeBlocks()
    {
        var source = new FakeSource();
        using var allocator = new CachingAllocator(source);
        var kept = allocator.Rent(100);
        var freed = allocator.Rent(100_000);
        allocator.Return(freed);
        allocator.ReleaseCached();
        Assert.That(source.LiveBytes, Is.EqualTo(kept.Bytes));
        Assert.That(allocator.CachedBytes, Is.Zero);
        Assert.That(allocator.PeakReservedBytes, Is.EqualTo(kept.Bytes + freed.Bytes));
        allocator.Return(kept);
    }

    [Test]
    public void FreshBlocksAreIdleAndAReleasedBlockBecomesIdleOnlyOnceWorkUpToItsReleaseIsMarkedDone()
    {
        using var allocator = new CachingAllocator(new FakeSource());
        var fresh = allocator.Rent(4096);
        Assert.That(allocator.IsIdle(fresh), Is.True, "memory straight from the source has no earlier holder");
        allocator.Return(fresh);

        var reused = allocator.Rent(4096);
        Assert.That(reused.Address, Is.EqualTo(fresh.Address));
        Assert.That(allocator.IsIdle(reused), Is.False, "its previous holder's kernels may still be queued");
        allocator.Return(reused);

        long before = allocator.ReleaseCount;   // the backend reads this, then waits for its stream
        var other = allocator.Rent(100);
        allocator.Return(other);                // released after the wait began: not covered
        allocator.MarkCompleted(before);

        var again = allocator.Rent(4096);
        Assert.That(allocator.IsIdle(again), Is.True);
        var late = allocator.Rent(100);
        Assert.That(allocator.IsIdle(late), Is.False);
        allocator.MarkCompleted(before - 1);    // an older report never undoes a newer one
        Assert.That(allocator.IsIdle(again), Is.True);
    }
}
