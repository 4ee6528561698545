using System.Collections.Concurrent;

namespace DeepImpression.Train.Data.Decoding;

/// <summary>
/// The standard output of ffmpeg read while the tool runs, handed to the caller in blocks through a bounded queue,
/// so that a clip of any length passes through in constant memory: the tool runs (through <see cref="ExternalTool"/>)
/// on a background thread and waits on its full pipe while the caller is busy with a block. Disposing stops the tool.
/// </summary>
internal sealed class ToolOutputStream : IDisposable
{
    private readonly BlockingCollection<(byte[] Block, int Length)> _ready;
    private readonly ConcurrentQueue<byte[]> _spare = new();
    private readonly CancellationTokenSource _stop;
    private readonly Task<ToolRun> _run;
    private readonly int _blockBytes;
    private byte[]? _lent;

    /// <param name="tool">The program to start (ffmpeg).</param>
    /// <param name="arguments">Its arguments.</param>
    /// <param name="blockBytes">Bytes per block; every block but the last is full.</param>
    /// <param name="blocksAhead">Blocks the tool may decode before the caller takes them.</param>
    /// <param name="cancellation">Stops the tool and the reads.</param>
    public ToolOutputStream(string tool, IReadOnlyList<string> arguments, int blockBytes, int blocksAhead, CancellationToken cancellation)
    {
        _blockBytes = blockBytes;
        _ready = new BlockingCollection<(byte[], int)>(blocksAhead);
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        var token = _stop.Token;
        _run = Task.Factory.StartNew(() =>
        {
            try
            {
                return ExternalTool.Run(tool, arguments, readStdout: Produce, cancellation: token);
            }
            finally
            {
                _ready.CompleteAdding();
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <summary>The next block of output, valid until the next call; false at the end of the output.</summary>
    public bool Next(out ReadOnlySpan<byte> block)
    {
        if (_lent is not null) _spare.Enqueue(_lent);
        _lent = null;
        if (!_ready.TryTake(out var item, Timeout.Infinite, _stop.Token))
        {
            block = default;
            return false;
        }
        _lent = item.Block;
        block = item.Block.AsSpan(0, item.Length);
        return true;
    }

    /// <summary>How the tool ended, once <see cref="Next"/> returned false. Throws what kept the tool from running.</summary>
    public ToolRun Finish() => _run.GetAwaiter().GetResult();

    public void Dispose()
    {
        _stop.Cancel();
        // The tool is killed; its outcome no longer matters, only that nothing writes into the queue any more.
        ((IAsyncResult)_run).AsyncWaitHandle.WaitOne();
        _ready.Dispose();
        _stop.Dispose();
    }

    private void Produce(Stream output)
    {
        while (true)
        {
            if (!_spare.TryDequeue(out var block)) block = new byte[_blockBytes];
            int length = 0;
            while (length < block.Length)
            {
                int n = output.Read(block, length, block.Length - length);
                if (n == 0) break;
                length += n;
            }
            if (length > 0) _ready.Add((block, length), _stop.Token);
            if (length < block.Length) return;
        }
    }
}
