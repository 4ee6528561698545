using System.Collections.Concurrent;
using DeepImpression.Core.Backends.Cpu.Kernels;

namespace DeepImpression.Core.Tests.Backends;

[TestFixture]
public sealed class CpuWorkersTests
{
    /// <summary>Three participants whatever the machine: the caller and two helper threads.</summary>
    private static CpuWorkers Pool(Action? helperCountedOut = null) => new(3, helperCountedOut: helperCountedOut);

    private sealed class Recorder(int count) : IParallelBody
    {
        public readonly int[] Hits = new int[count];
        public readonly ConcurrentDictionary<int, int> Workers = new();

        public void Execute(int index, int worker)
        {
            Interlocked.Increment(ref Hits[index]);
            Workers[worker] = Environment.CurrentManagedThreadId;
        }
    }

    [TestCase(1)]
    [TestCase(2)]
    [TestCase(1000)]
    public void Every_index_runs_exactly_once(int count)
    {
        using var pool = Pool();
        var body = new Recorder(count);
        pool.For(count, body);
        Assert.That(body.Hits, Is.All.EqualTo(1));
        Assert.That(body.Workers.Keys, Is.All.InRange(0, pool.Count - 1));
    }

    private sealed class Nested(CpuWorkers pool) : IParallelBody
    {
        public readonly Recorder[] Inner = Enumerable.Range(0, 8).Select(_ => new Recorder(50)).ToArray();

        public void Execute(int index, int worker) => pool.For(50, Inner[index]);
    }

    [Test]
    public void A_region_opened_inside_a_region_runs_inline_and_completes()
    {
        using var pool = Pool();
        var outer = new Nested(pool);
        pool.For(8, outer);
        foreach (var inner in outer.Inner)
        {
            Assert.That(inner.Hits, Is.All.EqualTo(1));
            // Inline: the whole inner region ran on the one participant that opened it.
            Assert.That(inner.Workers.Count, Is.EqualTo(1));
        }
    }

    private sealed class Failing : IParallelBody
    {
        public void Execute(int index, int worker)
        {
            if (index == 7) throw new InvalidOperationException("piece 7 failed");
        }
    }

    [Test]
    public void A_failure_in_any_piece_reaches_the_caller_and_the_pool_stays_usable()
    {
        // Raised on a helper thread it arrives wrapped; run inline (one thread) it arrives as it was thrown.
        using var pool = Pool();
        var e = Assert.Catch<Exception>(() => pool.For(64, new Failing()));
        var original = e is AggregateException aggregate ? aggregate.InnerExceptions.Single() : e;
        Assert.That(original, Is.TypeOf<InvalidOperationException>().With.Message.EqualTo("piece 7 failed"));
        var body = new Recorder(100);
        pool.For(100, body);
        Assert.That(body.Hits, Is.All.EqualTo(1));
    }

    [Test]
    public void Regions_from_several_threads_at_once_all_complete()
    {
        using var pool = Pool();
        var bodies = Enumerable.Range(0, 6).Select(_ => new Recorder(200)).ToArray();
        Parallel.ForEach(bodies, new ParallelOptions { MaxDegreeOfParallelism = 6 }, b => pool.For(200, b));
        foreach (var b in bodies) Assert.That(b.Hits, Is.All.EqualTo(1));
    }

    /// <summary>Pieces that busy-wait a set time, one for the caller (worker 0) and one for the helpers; counts finished pieces.</summary>
    private sealed class TimedPieces(double callerMs, double helperMs) : IParallelBody
    {
        public int Finished;

        public void Execute(int index, int worker)
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            double ms = worker == 0 ? callerMs : helperMs;
            while (clock.Elapsed.TotalMilliseconds < ms) Thread.SpinWait(20);
            Interlocked.Increment(ref Finished);
        }
    }

    [Test]
    public void A_region_returns_only_after_every_piece_has_finished_even_when_a_helper_is_descheduled()
    {
        // The last helper counts itself out, then signals. Descheduled in between (simulated by the seam), its signal
        // used to land after the caller, seeing the count at zero, had left and reset the signal for its next region:
        // that region's wait was then released while a helper still ran a piece, and the caller read half-written
        // results (rare wrong GEMM tiles in training).
        int early = 0;
        using var pool = Pool(helperCountedOut: () => Thread.Sleep(2));
        for (int round = 0; round < 10; round++)
        {
            // The helper finishes first here, and its signal is late...
            var first = new TimedPieces(callerMs: 1, helperMs: 0);
            pool.For(2, first);
            if (Volatile.Read(ref first.Finished) != 2) early++;
            // ...while here the caller finishes first and must still wait for the helper's long piece.
            var second = new TimedPieces(callerMs: 0.5, helperMs: 3);
            pool.For(2 + 3 * pool.Count, second);
            if (Volatile.Read(ref second.Finished) != 2 + 3 * pool.Count) early++;
            while (Volatile.Read(ref second.Finished) < 2 + 3 * pool.Count) Thread.SpinWait(100);
        }
        Assert.That(early, Is.Zero, "regions that returned before all their pieces had finished");
    }
}
