using System.Runtime.InteropServices;
using DeepImpression.Cuda.Memory;

namespace DeepImpression.Cuda.Tests.HostSide;

/// <summary>
/// The staging ring against a fake driver whose copies run late, as DMA does: a queued copy reads its pinned chunk
/// only when a fence after it is waited for, so a chunk refilled too early would corrupt the data seen here.
/// </summary>
[TestFixture]
public unsafe class PinnedStagingTests
{
    /// <summary>Device memory as a byte array (or none, with probes), copies queued in stream order.</summary>
    private sealed class LateChannel(long deviceBytes, bool keepContent = true) : IStagingChannel
    {
        private readonly byte[]? _device = keepContent ? new byte[deviceBytes] : null;
        private readonly Queue<Action> _queued = new();
        private readonly Dictionary<int, int> _fenceAfter = new();
        private int _executed, _enqueued;
        public readonly List<(ulong Address, int Bytes)> Uploads = [];
        public readonly Dictionary<ulong, float> Probes = new();
        public readonly List<string> ProbeFailures = [];
        public int PinnedAllocations, PinnedLive;

        public void MakeCurrent() { }

        public nint AllocatePinned(int bytes)
        {
            PinnedAllocations++;
            PinnedLive++;
            return (nint)NativeMemory.Alloc((nuint)bytes);
        }

        public void FreePinned(nint pointer)
        {
            PinnedLive--;
            NativeMemory.Free((void*)pointer);
        }

        public void CopyToDevice(ulong destination, nint source, int bytes, nint stream)
        {
            Uploads.Add((destination, bytes));
            Enqueue(() =>
            {
                if (_device is not null) new ReadOnlySpan<byte>((void*)source, bytes).CopyTo(_device.AsSpan(checked((int)destination), bytes));
                foreach (var (address, expected) in Probes)
                    if (address >= destination && address < destination + (ulong)bytes)
                    {
                        float seen = *(float*)(source + (nint)(address - destination));
                        if (seen != expected) ProbeFailures.Add($"device byte {address}: {seen}, expected {expected}");
                    }
            });
        }

        public void CopyToHost(nint destination, ulong source, int bytes, nint stream) =>
            Enqueue(() => _device.AsSpan(checked((int)source), bytes).CopyTo(new Span<byte>((void*)destination, bytes)));

        public void RecordFence(int chunk, nint stream) => _fenceAfter[chunk] = _enqueued;

        public void WaitFence(int chunk)
        {
            if (!_fenceAfter.TryGetValue(chunk, out var upTo)) return;
            while (_executed < upTo) Run();
        }

        /// <summary>The stream drains: everything queued runs.</summary>
        public void Synchronize()
        {
            while (_queued.Count > 0) Run();
        }

        public byte[] Device => _device!;

        private void Enqueue(Action copy)
        {
            _queued.Enqueue(copy);
            _enqueued++;
        }

        private void Run()
        {
            _queued.Dequeue()();
            _executed++;
        }

        public void Dispose() { }
    }

    [Test]
    public void UploadsAndDownloadsLargerThanTheRingKeepEveryValueThoughCopiesRunLate()
    {
        int count = PinnedStaging.ChunkFloats * (PinnedStaging.ChunkCount * 2 + 1) + 123;
        var data = new float[count];
        for (int i = 0; i < count; i++) data[i] = i * 0.5f - 7f;
        var channel = new LateChannel((long)count * sizeof(float) + 4096);
        using var staging = new PinnedStaging(channel);

        staging.Upload(data, 4096, stream: 1);
        channel.Synchronize();
        Assert.That(MemoryMarshal.Cast<byte, float>(channel.Device.AsSpan(4096)).SequenceEqual(data), Is.True, "device memory after the upload");

        var back = new float[count];
        staging.Download(4096, back, stream: 1);
        Assert.That(back.AsSpan().SequenceEqual(data), Is.True, "a download returns only after its copies ran");
        Assert.That(channel.PinnedAllocations, Is.EqualTo(PinnedStaging.ChunkCount), "the ring's chunks are allocated once and reused");

        var part = new float[1000];
        staging.Download(4096 + 5000 * sizeof(float), part, stream: 1);
        Assert.That(part, Is.EqualTo(data.AsSpan(5000, 1000).ToArray()));
        staging.Dispose();
        Assert.That(channel.PinnedLive, Is.Zero);
    }

    [Test]
    public void PiecesOfACopyOf2GiBAndMoreHaveOffsetsBeyondInt32AndCoverItExactly()
    {
        foreach (long floats in new[] { (1L << 29) + 1, (1L << 31) - 1, 5L << 28 })
        {
            long expectedOffset = 0;
            int pieces = 0;
            foreach (var (offset, count) in PinnedStaging.Pieces(floats))
            {
                Assert.That(offset, Is.EqualTo(expectedOffset));
                Assert.That(count, Is.InRange(1, PinnedStaging.ChunkFloats));
                expectedOffset += count;
                pieces++;
            }
            Assert.That(expectedOffset, Is.EqualTo(floats));
            Assert.That(pieces, Is.EqualTo((floats + PinnedStaging.ChunkFloats - 1) / PinnedStaging.ChunkFloats));
            Assert.That(expectedOffset * sizeof(float), Is.GreaterThan((long)int.MaxValue));
        }
    }

    /// <summary>A 2 GiB + 64-byte upload (the size that overflowed): zero-filled virtual memory that is read but never
    /// written costs no RAM, and probes near the end check that the last pieces land at their 64-bit addresses.</summary>
    [Test]
    [Category("Slow")]
    public void AnUploadOf2GiBAndMoreReachesEveryAddress()
    {
        long floats = (1L << 29) + 16;
        var source = (float*)NativeMemory.AllocZeroed((nuint)(floats * sizeof(float)));
        try
        {
            var channel = new LateChannel(floats * sizeof(float), keepContent: false);
            const ulong destination = 1UL << 40;
            foreach (long at in new[] { 0L, (1L << 29) - 1, 1L << 29, floats - 1 })
            {
                source[at] = at + 1;
                channel.Probes[destination + (ulong)at * sizeof(float)] = at + 1;
            }
            using var staging = new PinnedStaging(channel);
            staging.Upload(new ReadOnlySpan<float>(source, (int)floats), destination, stream: 1);
            channel.Synchronize();

            Assert.That(channel.ProbeFailures, Is.Empty);
            Assert.That(channel.Uploads.Sum(u => (long)u.Bytes), Is.EqualTo(floats * sizeof(float)));
            var last = channel.Uploads[^1];
            Assert.That(last.Address + (ulong)last.Bytes, Is.EqualTo(destination + (ulong)floats * sizeof(float)));
            for (int i = 1; i < channel.Uploads.Count; i++)
                Assert.That(channel.Uploads[i].Address, Is.EqualTo(channel.Uploads[i - 1].Address + (ulong)channel.Uploads[i - 1].Bytes));
        }
        finally
        {
            NativeMemory.Free(source);
        }
    }
}
