using DeepImpression.Cuda.Interop;
using DeepImpression.Cuda.Runtime;

namespace DeepImpression.Cuda.Memory;

/// <summary>
/// Host-device copies through a ring of page-locked (pinned) chunks. An upload copies the caller's data into a
/// chunk and queues the DMA, then returns: the caller's memory is free at once and the transfer runs while the
/// host goes on. Each chunk carries an event, so it is refilled only after its last transfer finished. A download
/// queues up to one transfer per chunk, then drains them in order. Large copies stream through the ring in pieces,
/// so the pinned memory stays small (four chunks of 4 MiB).
/// </summary>
internal sealed unsafe class PinnedStaging : IDisposable
{
    public const int ChunkBytes = 4 << 20;
    public const int ChunkCount = 4;

    private readonly CudaContext _context;
    private readonly nint[] _chunks = new nint[ChunkCount];
    private readonly CudaEvent?[] _fences = new CudaEvent?[ChunkCount];
    private readonly bool[] _pending = new bool[ChunkCount];
    private readonly object _gate = new();
    private int _next;

    public PinnedStaging(CudaContext context) => _context = context;

    public void Upload(ReadOnlySpan<float> source, ulong destination, CudaStream stream)
    {
        var bytes = System.Runtime.InteropServices.MemoryMarshal.AsBytes(source);
        lock (_gate)
        {
            _context.MakeCurrent();
            for (int offset = 0; offset < bytes.Length; offset += ChunkBytes)
            {
                int piece = Math.Min(ChunkBytes, bytes.Length - offset);
                int chunk = NextFreeChunk();
                bytes.Slice(offset, piece).CopyTo(new Span<byte>((void*)_chunks[chunk], piece));
                CudaDriver.Check(CudaDriver.cuMemcpyHtoDAsync(destination + (ulong)offset, (void*)_chunks[chunk], (nuint)piece, stream.Handle),
                    "cuMemcpyHtoDAsync_v2");
                Fence(chunk).Record(stream);
                _pending[chunk] = true;
            }
        }
    }

    public void Download(ulong source, Span<float> destination, CudaStream stream)
    {
        var bytes = System.Runtime.InteropServices.MemoryMarshal.AsBytes(destination);
        lock (_gate)
        {
            _context.MakeCurrent();
            Span<int> chunks = stackalloc int[ChunkCount];
            for (int batchStart = 0; batchStart < bytes.Length; batchStart += ChunkBytes * ChunkCount)
            {
                int queued = 0;
                for (int offset = batchStart; offset < bytes.Length && queued < ChunkCount; offset += ChunkBytes, queued++)
                {
                    int piece = Math.Min(ChunkBytes, bytes.Length - offset);
                    int chunk = NextFreeChunk();
                    CudaDriver.Check(CudaDriver.cuMemcpyDtoHAsync((void*)_chunks[chunk], source + (ulong)offset, (nuint)piece, stream.Handle),
                        "cuMemcpyDtoHAsync_v2");
                    Fence(chunk).Record(stream);
                    _pending[chunk] = true;
                    chunks[queued] = chunk;
                }
                for (int q = 0; q < queued; q++)
                {
                    int offset = batchStart + q * ChunkBytes;
                    int piece = Math.Min(ChunkBytes, bytes.Length - offset);
                    int chunk = chunks[q];
                    _fences[chunk]!.Synchronize();
                    _pending[chunk] = false;
                    new ReadOnlySpan<byte>((void*)_chunks[chunk], piece).CopyTo(bytes.Slice(offset, piece));
                }
            }
        }
    }

    /// <summary>The next chunk of the ring, allocated on first use, after its previous transfer completed.</summary>
    private int NextFreeChunk()
    {
        int chunk = _next;
        _next = (_next + 1) % ChunkCount;
        if (_chunks[chunk] == 0)
        {
            CudaDriver.Check(CudaDriver.cuMemAllocHost(out _chunks[chunk], ChunkBytes), "cuMemAllocHost_v2");
        }
        else if (_pending[chunk])
        {
            _fences[chunk]!.Synchronize();
            _pending[chunk] = false;
        }
        return chunk;
    }

    private CudaEvent Fence(int chunk) => _fences[chunk] ??= new CudaEvent(_context);

    public void Dispose()
    {
        lock (_gate)
        {
            _context.MakeCurrent();
            for (int i = 0; i < ChunkCount; i++)
            {
                if (_pending[i]) _fences[i]!.Synchronize();
                _fences[i]?.Dispose();
                _fences[i] = null;
                if (_chunks[i] != 0) CudaDriver.cuMemFreeHost(_chunks[i]);
                _chunks[i] = 0;
            }
        }
    }
}
