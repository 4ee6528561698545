using System.Collections.Concurrent;
using DeepImpression.Core;
using DeepImpression.Core.Tensors;
using DeepImpression.Train.Data.Cache;

namespace DeepImpression.Train.Data.Loading;

/// <summary>
/// Training mini-batches from a clip cache. Per example: a random <see cref="TrainingLoaderOptions.AudioSamples"/>
/// window of the clip's audio, a random cached frame, a random square crop of it and a random horizontal flip.
/// Epoch <c>e</c> visits the clips in an order shuffled by (seed, e); example <c>i</c> of the epoch draws its
/// choices from (seed, e, i) alone, so the batches are identical for a seed whatever the worker timing, and a run
/// can resume at any batch. Worker threads build batches ahead into a bounded queue; batches arrive in order.
/// Data is read from the memory-mapped cache, so memory does not grow with the data set.
/// </summary>
public sealed class TrainingLoader
{
    private readonly ClipCache _cache;
    private readonly int[] _clips;
    private readonly ConcurrentBag<TrainingBatch> _pool = new();

    /// <summary>A loader of the clips <paramref name="clips"/> (indices into <paramref name="cache"/>).</summary>
    public TrainingLoader(ClipCache cache, IReadOnlyList<int> clips, TrainingLoaderOptions? options = null)
    {
        _cache = cache;
        Options = options ?? new TrainingLoaderOptions();
        var o = Options;
        if (o.BatchSize <= 0) throw new InvalidInputException($"batch size {o.BatchSize}: must be at least 1.");
        if (o.Workers < 0) throw new InvalidInputException($"loader workers {o.Workers}: must be 0 or more.");
        if (o.Prefetch <= 0) throw new InvalidInputException($"prefetch {o.Prefetch}: must be at least 1.");
        if (o.AudioSamples <= 0) throw new InvalidInputException($"audio window {o.AudioSamples}: must be at least 1.");
        var size = cache.FrameSize;
        if (o.CropSize <= 0 || o.CropSize > size.Width || o.CropSize > size.Height)
            throw new InvalidInputException($"crop {o.CropSize}: does not fit the {size} frames of cache {cache.Directory}.");
        if (clips.Count == 0) throw new InvalidInputException($"{cache.Directory}: no clips to train on.");

        _clips = clips.ToArray();
        foreach (int c in _clips)
        {
            if ((uint)c >= (uint)cache.Count) throw new ArgumentOutOfRangeException(nameof(clips), $"clip index {c} is not in the cache.");
            if (cache.Clips[c].Targets is null) throw new InvalidInputException($"{cache.Directory}: clip {cache.Clips[c].Name} has no labels; it cannot be used for training.");
        }
        if (o.DropLast && _clips.Length < o.BatchSize)
            throw new InvalidInputException($"{cache.Directory}: {_clips.Length} clips make no full batch of {o.BatchSize}.");
    }

    /// <summary>How examples are drawn and batched.</summary>
    public TrainingLoaderOptions Options { get; }

    /// <summary>Examples per epoch: one per clip.</summary>
    public int ExamplesPerEpoch => _clips.Length;

    /// <summary>Batches per epoch (a last partial batch counts unless dropped).</summary>
    public int BatchesPerEpoch => Options.DropLast ? _clips.Length / Options.BatchSize : (_clips.Length + Options.BatchSize - 1) / Options.BatchSize;

    /// <summary>The cache indices of the clips in the order epoch <paramref name="epoch"/> visits them.</summary>
    public int[] EpochOrder(int epoch)
    {
        var order = (int[])_clips.Clone();
        if (Options.Shuffle) new Rng(ExampleDraw.StreamSeed(Options.Seed, epoch, -1)).Shuffle(order);
        return order;
    }

    /// <summary>The random choices of example <paramref name="position"/> of epoch <paramref name="epoch"/>.</summary>
    internal ExampleDraw Draw(int epoch, int position, int clip)
    {
        var c = _cache.Clips[clip];
        var size = _cache.FrameSize;
        return ExampleDraw.Make(Options.Seed, epoch, position, c.AudioSamples, Options.AudioSamples, c.FrameCount,
            size.Width, size.Height, Options.CropSize, Options.RandomFlip);
    }

    /// <summary>Builds batch <paramref name="batch"/> of epoch <paramref name="epoch"/> on the calling thread.</summary>
    public TrainingBatch LoadBatch(int epoch, int batch) => Build(EpochOrder(epoch), epoch, batch);

    /// <summary>
    /// The batches of one epoch in order, from <paramref name="firstBatch"/> on (to resume mid-epoch), built ahead by
    /// the worker threads. Dispose each batch when done with it so its arrays are reused.
    /// </summary>
    public IEnumerable<TrainingBatch> Epoch(int epoch, int firstBatch = 0, CancellationToken cancellation = default)
    {
        int count = BatchesPerEpoch;
        if (firstBatch < 0 || firstBatch > count) throw new ArgumentOutOfRangeException(nameof(firstBatch));
        var order = EpochOrder(epoch);
        return Options.Workers == 0 ? Sequential(order, epoch, firstBatch, count, cancellation) : Prefetched(order, epoch, firstBatch, count, cancellation);
    }

    /// <summary>Fills one example: the audio window into <paramref name="audio"/>, the crop (3 x C x C) into <paramref name="frame"/>.</summary>
    internal void FillExample(int clip, ExampleDraw draw, Span<float> audio, Span<float> frame)
    {
        int window = Options.AudioSamples;
        var source = _cache.Audio(clip);
        int available = Math.Min(window, source.Length - draw.AudioStart);
        source.Slice(draw.AudioStart, available).CopyTo(audio);
        // Audio shorter than the window (only when the cache allowed it) is padded with silence.
        audio[available..window].Clear();

        var size = _cache.FrameSize;
        int crop = Options.CropSize;
        var pixels = _cache.Frame(clip, draw.Frame);
        int plane = size.Width * size.Height;
        for (int ch = 0; ch < 3; ch++)
        {
            for (int y = 0; y < crop; y++)
            {
                var row = pixels.Slice(ch * plane + (draw.CropY + y) * size.Width + draw.CropX, crop);
                PixelConversion.ToFloat(row, frame.Slice((ch * crop + y) * crop, crop), draw.Flip);
            }
        }
    }

    private IEnumerable<TrainingBatch> Sequential(int[] order, int epoch, int first, int count, CancellationToken cancellation)
    {
        for (int b = first; b < count; b++)
        {
            cancellation.ThrowIfCancellationRequested();
            yield return Build(order, epoch, b);
        }
    }

    private IEnumerable<TrainingBatch> Prefetched(int[] order, int epoch, int first, int count, CancellationToken cancellation)
    {
        if (first == count) yield break;
        var slots = new TaskCompletionSource<TrainingBatch>[count - first];
        for (int i = 0; i < slots.Length; i++) slots[i] = new TaskCompletionSource<TrainingBatch>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        // A worker takes a slot of this budget before it claims the next batch number, so at most Prefetch batches
        // are built and not yet consumed, and the consumer's next batch is always built or in the works.
        using var room = new SemaphoreSlim(Options.Prefetch, Options.Prefetch);
        int next = -1;

        void Work()
        {
            while (true)
            {
                try { room.Wait(stop.Token); }
                catch (OperationCanceledException) { return; }
                int i = Interlocked.Increment(ref next);
                if (i >= slots.Length) return;
                try
                {
                    slots[i].SetResult(Build(order, epoch, first + i));
                }
                catch (Exception e)
                {
                    slots[i].SetException(e);
                }
            }
        }

        var workers = Enumerable.Range(0, Math.Min(Options.Workers, slots.Length))
            .Select(_ => Task.Factory.StartNew(Work, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default))
            .ToArray();
        int consumed = 0;
        try
        {
            for (; consumed < slots.Length; consumed++)
            {
                var task = slots[consumed].Task;
                try
                {
                    task.Wait(cancellation);
                }
                catch (AggregateException e) when (e.InnerExceptions.Count == 1)
                {
                    System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
                }
                room.Release();
                yield return task.Result;
            }
        }
        finally
        {
            stop.Cancel();
            Task.WaitAll(workers);
            // Batches built for a consumer that stopped early go back to the pool.
            for (int i = consumed + 1; i < slots.Length; i++)
                if (slots[i].Task.IsCompletedSuccessfully) slots[i].Task.Result.Dispose();
        }
    }

    private TrainingBatch Build(int[] order, int epoch, int batch)
    {
        int n = Options.BatchSize;
        int start = batch * n;
        int count = Math.Min(n, order.Length - start);
        var result = Rent(count);
        result.Epoch = epoch;
        result.Index = batch;
        int window = Options.AudioSamples;
        int frameFloats = 3 * Options.CropSize * Options.CropSize;
        for (int k = 0; k < count; k++)
        {
            int position = start + k;
            int clip = order[position];
            var draw = Draw(epoch, position, clip);
            FillExample(clip, draw, result.Audio.AsSpan(k * window, window), result.Frames.AsSpan(k * frameFloats, frameFloats));
            _cache.Clips[clip].Targets!.Value.CopyTo(result.Targets.AsSpan(k * 5, 5));
            result.Clips[k] = _cache.Clips[clip].Name;
        }
        return result;
    }

    private TrainingBatch Rent(int count)
    {
        if (count == Options.BatchSize && _pool.TryTake(out var pooled))
        {
            pooled.Rearm(GiveBack);
            return pooled;
        }
        return new TrainingBatch(count, Options.AudioSamples, Options.CropSize, count == Options.BatchSize ? GiveBack : null);
    }

    private void GiveBack(TrainingBatch batch)
    {
        // A handful of spare batches is enough to stop reallocating; more would only hold memory.
        if (_pool.Count < Options.Prefetch + Options.Workers + 2) _pool.Add(batch);
    }
}
