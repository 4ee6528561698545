using System.Runtime.InteropServices;

namespace DeepImpression.Cuda.Memory;

/// <summary>
/// Host-device copies through a ring of page-locked (pinned) chunks. An upload copies the caller's data into a
/// chunk and queues the DMA, then returns: the caller's memory is free at once and the transfer runs while the
/// host goes on. Each chunk carries a fence, so it is refilled only after its last transfer finished. A download
/// queues up to one transfer per chunk, then drains them in order. Copies of any size (a span holds up to 8 GiB of
/// floats) stream through the ring in pieces of at most one chunk, with offsets counted in 64 bits, so the pinned
/// memory stays small (four chunks of 4 MiB).
/// </summary>
internal sealed unsafe class PinnedStaging : IDisposable
{
    public const int ChunkBytes = 4 << 20;
    public const int ChunkCount = 4;
    public const int ChunkFloats = ChunkBytes / sizeof(float);

    private readonly IStagingChannel _channel;
    private readonly nint[] _chunks = new nint[ChunkCount];
    private readonly bool[] _pending = new bool[ChunkCount];
    private readonly object _gate = new();
    private int _next;

    public PinnedStaging(IStagingChannel channel) => _channel = channel;

    /// <summary>The pieces a copy of <paramref name="floats"/> floats is cut into: (first float, float count), each at
    /// most one chunk. Offsets are 64-bit: a copy of 2 GiB or more has byte offsets past int.MaxValue.</summary>
    public static IEnumerable<(long Offset, int Count)> Pieces(long floats)
    {
        for (long offset = 0; offset < floats; offset += ChunkFloats)
            yield return (offset, (int)Math.Min(ChunkFloats, floats - offset));
    }

    public void Upload(ReadOnlySpan<float> source, ulong destination, nint stream)
    {
        lock (_gate)
        {
            _channel.MakeCurrent();
            foreach (var (offset, count) in Pieces(source.Length))
            {
                int chunk = NextFreeChunk();
                var piece = MemoryMarshal.AsBytes(source.Slice((int)offset, count));
                piece.CopyTo(new Span<byte>((void*)_chunks[chunk], piece.Length));
                _channel.CopyToDevice(destination + (ulong)offset * sizeof(float), _chunks[chunk], piece.Length, stream);
                _channel.RecordFence(chunk, stream);
                _pending[chunk] = true;
            }
        }
    }

    public void Download(ulong source, Span<float> destination, nint stream)
    {
        lock (_gate)
        {
            _channel.MakeCurrent();
            Span<int> chunks = stackalloc int[ChunkCount];
            Span<(long Offset, int Count)> queued = stackalloc (long, int)[ChunkCount];
            int waiting = 0;
            foreach (var piece in Pieces(destination.Length))
            {
                int chunk = NextFreeChunk();
                _channel.CopyToHost(_chunks[chunk], source + (ulong)piece.Offset * sizeof(float), piece.Count * sizeof(float), stream);
                _channel.RecordFence(chunk, stream);
                _pending[chunk] = true;
                chunks[waiting] = chunk;
                queued[waiting++] = piece;
                if (waiting == ChunkCount) waiting = Drain(chunks, queued, waiting, destination);
            }
            Drain(chunks, queued, waiting, destination);
        }
    }

    /// <summary>Waits for the queued downloads in order and copies each out of its chunk; returns 0.</summary>
    private int Drain(ReadOnlySpan<int> chunks, ReadOnlySpan<(long Offset, int Count)> queued, int count, Span<float> destination)
    {
        for (int q = 0; q < count; q++)
        {
            int chunk = chunks[q];
            _channel.WaitFence(chunk);
            _pending[chunk] = false;
            new ReadOnlySpan<float>((void*)_chunks[chunk], queued[q].Count).CopyTo(destination.Slice((int)queued[q].Offset, queued[q].Count));
        }
        return 0;
    }

    /// <summary>The next chunk of the ring, allocated on first use, after its previous transfer completed.</summary>
    private int NextFreeChunk()
    {
        int chunk = _next;
        _next = (_next + 1) % ChunkCount;
        if (_chunks[chunk] == 0)
        {
            _chunks[chunk] = _channel.AllocatePinned(ChunkBytes);
        }
        else if (_pending[chunk])
        {
            _channel.WaitFence(chunk);
            _pending[chunk] = false;
        }
        return chunk;
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _channel.MakeCurrent();
            for (int i = 0; i < ChunkCount; i++)
            {
                if (_pending[i]) _channel.WaitFence(i);
                _pending[i] = false;
                if (_chunks[i] != 0) _channel.FreePinned(_chunks[i]);
                _chunks[i] = 0;
            }
            _channel.Dispose();
        }
    }
}
