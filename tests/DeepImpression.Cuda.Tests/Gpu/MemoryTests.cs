using DeepImpression.Core.Tensors;
using DeepImpression.Cuda.Memory;

namespace DeepImpression.Cuda.Tests.Gpu;

/// <summary>Copies through the pinned staging ring, fills, and the allocator on a real device.</summary>
[TestFixture]
public class MemoryTests : GpuTestBase
{
    [Test]
    public void ARoundTripLargerThanTheStagingRingKeepsEveryValueAndOffsetsLandInPlace()
    {
        int count = PinnedStaging.ChunkBytes / sizeof(float) * (PinnedStaging.ChunkCount + 1) + 123;
        var data = new float[count];
        for (int i = 0; i < count; i++) data[i] = i * 0.5f - 7f;
        using var t = Tensor.FromArray(data, new Shape(count), GpuDevice);
        Assert.That(t.ToArray(), Is.EqualTo(data));

        var part = new float[1000];
        Gpu.CopyToHost(t.Buffer, 5000, part);
        Assert.That(part, Is.EqualTo(data.AsSpan(5000, 1000).ToArray()));
        Gpu.CopyFromHost(new float[] { 1f, 2f, 3f }, t.Buffer, 10);
        Gpu.Copy(t.Buffer, 10, t.Buffer, 20, 3);
        var check = new float[13];
        Gpu.CopyToHost(t.Buffer, 10, check);
        Assert.That(check[..3], Is.EqualTo(new[] { 1f, 2f, 3f }));
        Assert.That(check[10..], Is.EqualTo(new[] { 1f, 2f, 3f }));
        Assert.That(check[3..10], Is.EqualTo(data.AsSpan(13, 7).ToArray()));
    }

    [Test]
    public void FillWritesAnyFloatBitPattern()
    {
        foreach (var value in new[] { 0f, -0f, 1.5f, float.NaN, float.NegativeInfinity, -3.25e-20f })
        {
            using var t = Tensor.Full(new Shape(3, 333), value, GpuDevice);
            Assert.That(t.ToArray().Select(BitConverter.SingleToUInt32Bits), Has.All.EqualTo(BitConverter.SingleToUInt32Bits(value)));
        }
    }

    [Test]
    public void MemoryInUseCountsHeldBytesAndThePeakNeverFalls()
    {
        var (_, peakBefore) = Gpu.MemoryInUse;
        using (var big = Tensor.Zeros(new Shape(64, 1024, 1024), GpuDevice))
        {
            Assert.That(Gpu.MemoryInUseByTensors.Current, Is.GreaterThanOrEqualTo(256L << 20));
        }
        var (current, peak) = Gpu.MemoryInUse;
        Assert.That(peak, Is.GreaterThanOrEqualTo(Math.Max(peakBefore, 256L << 20)));
        Assert.That(current, Is.GreaterThanOrEqualTo(256L << 20), "the released block stays cached");
        Gpu.TrimCache();
        Assert.That(Gpu.MemoryInUse.Current, Is.LessThan(current));
        Assert.That(Gpu.MemoryInUse.Peak, Is.EqualTo(peak));
    }

    [Test]
    public void UploadsOnTheCopyStreamAreSeenByTheKernelsQueuedAfterThem()
    {
        var shape = new Shape(1 << 20);
        using var busy = Tensor.Zeros(shape, GpuDevice);
        for (int round = 0; round < 6; round++)
        {
            // Keep the compute stream busy, release blocks, then upload into fresh (or idle) tensors and use them.
            for (int i = 0; i < 20; i++) Gpu.Affine(busy, 1.0001f, 0.5f, busy);
            if (round % 2 == 0) Gpu.Synchronize();
            using var scope = TensorScope.Begin();
            var values = Enumerable.Range(0, shape.Count).Select(i => (float)((i * 7 + round) % 1000)).ToArray();
            var uploaded = Tensor.FromArray(values, shape, GpuDevice);
            var doubled = GpuEmpty(shape);
            Gpu.Affine(uploaded, 2f, 0f, doubled);
            var result = doubled.ToArray();
            for (int i = 0; i < values.Length; i += 4099) Assert.That(result[i], Is.EqualTo(2 * values[i]), $"round {round}, element {i}");
            // Upload again into a tensor the compute stream has used: the ordered path.
            uploaded.CopyFrom(values.Select(v => -v).ToArray());
            Gpu.Affine(uploaded, 1f, 1f, doubled);
            Assert.That(doubled.ToArray()[12345], Is.EqualTo(1f - values[12345]));
        }
    }
}
