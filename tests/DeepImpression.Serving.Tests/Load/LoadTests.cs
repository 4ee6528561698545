using System.Diagnostics;
using System.Net;
using System.Runtime;
using DeepImpression.Serving.Tests.Support;
using DeepImpression.Train.Serving;

namespace DeepImpression.Serving.Tests.Load;

/// <summary>
/// More concurrent requests than the queue holds, on loopback, bounded in count and time: every request gets 200 or
/// 503 (with Retry-After), none is lost, the server stays up, and its memory comes back to the idle level.
/// </summary>
[TestFixture]
[Category("Slow")]
[NonParallelizable]
public class LoadTests
{
    private const int Requests = 16;
    private const int QueueCapacity = 2;

    // Room for what a collection does not give back to the system at once (allocator arenas, GC regions kept for
    // reuse); a leak of one analysis's frames (tens of MB per clip) on every request would exceed it many times over.
    private const long ResidentSlackBytes = 96L << 20;
    private const long ManagedSlackBytes = 8L << 20;

    [Test]
    public async Task More_concurrent_requests_than_the_queue_holds_each_get_200_or_503_and_memory_returns_to_idle()
    {
        await using var server = await ServerHarness.StartAsync(o => o with { QueueCapacity = QueueCapacity });
        string clip = TestClips.Synthetic;
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(8));

        // Idle means warm: one analysis first, so that JIT, the model's buffers and the thread pool are what they will stay.
        using (var warm = await server.PostClipAsync(clip, "warm.mp4", "video/mp4", deadline.Token))
            Assert.That(warm.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var idle = MemoryLevel.Measure();

        long peak = idle.Resident;
        using var stopSampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!stopSampling.IsCancellationRequested)
            {
                peak = Math.Max(peak, MemoryLevel.ResidentNow());
                await Task.Delay(25);
            }
        });

        var started = Stopwatch.StartNew();
        var outcomes = await Task.WhenAll(Enumerable.Range(0, Requests).Select(async i =>
        {
            using var response = await server.PostClipAsync(clip, $"load-{i}.mp4", "video/mp4", deadline.Token);
            await response.Content.ReadAsByteArrayAsync(deadline.Token);
            return (Status: (int)response.StatusCode, RetryAfter: response.Headers.RetryAfter?.Delta);
        }));
        var elapsed = started.Elapsed;
        await stopSampling.CancelAsync();
        await sampler;

        int ok = outcomes.Count(o => o.Status == 200), busy = outcomes.Count(o => o.Status == 503);
        Assert.That(outcomes.Select(o => o.Status), Has.All.AnyOf(200, 503));
        Assert.That(ok + busy, Is.EqualTo(Requests), "a request was lost");
        Assert.That(ok, Is.GreaterThanOrEqualTo(QueueCapacity + 1), "the first arrivals fit in the queue");
        Assert.That(busy, Is.GreaterThan(0), "the queue never filled: the test did not load the server");
        Assert.That(outcomes.Where(o => o.Status == 503).Select(o => o.RetryAfter), Has.All.Not.Null);
        Assert.That(server.Logs.Events.Count(e => e.Message.Contains("POST /api/analyze ->", StringComparison.Ordinal)), Is.EqualTo(Requests + 1), "one log line per request");

        var health = await server.HealthAsync();
        Assert.That(health.Status, Is.EqualTo("ok"));
        Assert.That(health.Queue, Is.EqualTo(new QueueState(0, 0, QueueCapacity + 1, true)));
        Assert.That(server.LeftoverUploads(), Is.Empty);

        var after = MemoryLevel.Measure();
        TestContext.Out.WriteLine(FormattableString.Invariant($"load: {Requests} requests in {elapsed.TotalSeconds:0.0} s: {ok} x 200, {busy} x 503"));
        TestContext.Out.WriteLine(FormattableString.Invariant($"load: resident memory idle {idle.Resident >> 20} MiB, peak {peak >> 20} MiB, after {after.Resident >> 20} MiB"));
        TestContext.Out.WriteLine(FormattableString.Invariant($"load: managed heap idle {idle.Managed >> 20} MiB, after {after.Managed >> 20} MiB"));
        Assert.That(after.Managed, Is.LessThanOrEqualTo(idle.Managed + ManagedSlackBytes), "the managed heap did not come back to its idle level");
        Assert.That(after.Resident, Is.LessThanOrEqualTo(idle.Resident + ResidentSlackBytes), "resident memory did not come back to its idle level");
    }

    /// <summary>The process's memory after a full, compacting collection: resident set and managed heap.</summary>
    private readonly record struct MemoryLevel(long Resident, long Managed)
    {
        public static MemoryLevel Measure()
        {
            GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
            return new MemoryLevel(ResidentNow(), GC.GetTotalMemory(forceFullCollection: false));
        }

        /// <summary>VmRSS from /proc (what the system counts), or the working set elsewhere.</summary>
        public static long ResidentNow()
        {
            if (File.Exists("/proc/self/status"))
                foreach (var line in File.ReadLines("/proc/self/status"))
                    if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) * 1024;
            using var self = Process.GetCurrentProcess();
            return self.WorkingSet64;
        }
    }
}
