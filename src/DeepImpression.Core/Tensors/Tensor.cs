using DeepImpression.Core.Autograd;
using DeepImpression.Core.Backends;

namespace DeepImpression.Core.Tensors;

/// <summary>
/// A float32 array with a shape, stored contiguously (row-major, NCHW) on one device. Disposing releases its
/// storage at once; tensors made inside a <see cref="TensorScope"/> are disposed with it.
/// </summary>
public sealed class Tensor : IDisposable
{
    private DeviceBuffer? _buffer;

    internal Tensor(Shape shape, DeviceBuffer buffer)
    {
        if (buffer.Length < shape.Count)
            throw new ArgumentException($"A buffer of {buffer.Length} floats cannot hold shape {shape}.");
        Shape = shape;
        _buffer = buffer;
        TensorScope.Register(this);
    }

    /// <summary>The dimensions; fixed for the tensor's life (<see cref="View"/> makes a differently shaped tensor over the same storage).</summary>
    public Shape Shape { get; }
    /// <summary>Number of dimensions.</summary>
    public int Rank => Shape.Rank;
    /// <summary>Number of elements.</summary>
    public int Count => Shape.Count;
    /// <summary>The size along <paramref name="axis"/> (negative counts from the end).</summary>
    public int Dim(int axis) => Shape[axis];

    /// <summary>The storage; throws <see cref="ObjectDisposedException"/> once the tensor is disposed.</summary>
    public DeviceBuffer Buffer => _buffer ?? throw new ObjectDisposedException(nameof(Tensor),
        $"Tensor {Name ?? ""}{Shape} was used after it was disposed.");

    /// <summary>The backend that holds the storage and runs every op on this tensor.</summary>
    public IBackend Backend => Buffer.Backend;
    /// <summary>The device the storage lives on.</summary>
    public Device Device => Buffer.Backend.Device;
    /// <summary>True once <see cref="Dispose"/> has released the storage.</summary>
    public bool IsDisposed => _buffer is null;

    /// <summary>A path-like name for parameters (<c>aud/conv1_relu/conv/W</c>); null for intermediates.</summary>
    public string? Name { get; set; }

    /// <summary>True for a leaf whose gradient <see cref="Backward"/> should accumulate into <see cref="Grad"/>.</summary>
    public bool RequiresGrad { get; set; }

    /// <summary>Accumulated gradient of a leaf; owned by this tensor and kept across steps.</summary>
    public Tensor? Grad { get; internal set; }

    /// <summary>When set, the next accumulation overwrites <see cref="Grad"/> instead of adding (a cheap zero_grad).</summary>
    internal bool GradIsStale { get; set; }

    /// <summary>The op that produced this tensor while recording, or null for a leaf or a no-grad result.</summary>
    public GradNode? Node { get; internal set; }

    /// <summary>True when this tensor takes part in the recorded graph (a leaf requiring grad or an op's result).</summary>
    public bool TracksGradient => RequiresGrad || Node is not null;

    // ---- Creation ----------------------------------------------------------------------------------------------

    /// <summary>Uninitialized storage.</summary>
    public static Tensor Empty(Shape shape, Device? device = null)
    {
        var backend = BackendRegistry.Get(device ?? Device.Cpu);
        return new Tensor(shape, backend.Allocate(shape.Count));
    }

    /// <summary>Every element <paramref name="value"/>; on the CPU when <paramref name="device"/> is null.</summary>
    public static Tensor Full(Shape shape, float value, Device? device = null)
    {
        var t = Empty(shape, device);
        t.Backend.Fill(t, value);
        return t;
    }

    /// <summary>All zeros; on the CPU when <paramref name="device"/> is null.</summary>
    public static Tensor Zeros(Shape shape, Device? device = null) => Full(shape, 0f, device);
    /// <summary>All ones; on the CPU when <paramref name="device"/> is null.</summary>
    public static Tensor Ones(Shape shape, Device? device = null) => Full(shape, 1f, device);

    /// <summary>A tensor holding a copy of <paramref name="data"/> (row-major), which must have exactly <paramref name="shape"/>'s element count.</summary>
    public static Tensor FromArray(ReadOnlySpan<float> data, Shape shape, Device? device = null)
    {
        if (data.Length != shape.Count)
            throw new ArgumentException($"{data.Length} values do not fill shape {shape} ({shape.Count} elements).");
        var t = Empty(shape, device);
        t.Backend.CopyFromHost(data, t.Buffer, 0);
        return t;
    }

    /// <summary>Normal(mean, std) values drawn on the host from <paramref name="rng"/>, so every device gets the same numbers.</summary>
    public static Tensor RandomNormal(Shape shape, Rng rng, float mean = 0f, float std = 1f, Device? device = null)
    {
        var data = new float[shape.Count];
        for (int i = 0; i < data.Length; i++) data[i] = (float)(mean + std * rng.NextNormal());
        return FromArray(data, shape, device);
    }

    /// <summary>Uniform values in [low, high) drawn on the host from <paramref name="rng"/>.</summary>
    public static Tensor RandomUniform(Shape shape, Rng rng, float low = 0f, float high = 1f, Device? device = null)
    {
        var data = new float[shape.Count];
        for (int i = 0; i < data.Length; i++) data[i] = (float)(low + (high - low) * rng.NextDouble());
        return FromArray(data, shape, device);
    }

    // ---- Data movement -----------------------------------------------------------------------------------------

    /// <summary>The values copied to a new host array (waits for pending device work).</summary>
    public float[] ToArray()
    {
        var data = new float[Count];
        CopyTo(data);
        return data;
    }

    /// <summary>Copies the values to the first <see cref="Count"/> elements of <paramref name="destination"/> on the host.</summary>
    public void CopyTo(Span<float> destination)
    {
        if (destination.Length < Count) throw new ArgumentException($"Destination holds {destination.Length} floats; tensor {Shape} has {Count}.");
        Backend.CopyToHost(Buffer, 0, destination[..Count]);
    }

    /// <summary>Overwrites the values from host memory; <paramref name="source"/> must hold exactly <see cref="Count"/> floats.</summary>
    public void CopyFrom(ReadOnlySpan<float> source)
    {
        if (source.Length != Count) throw new ArgumentException($"{source.Length} values do not fill tensor {Shape} ({Count} elements).");
        Backend.CopyFromHost(source, Buffer, 0);
    }

    /// <summary>Overwrites this tensor's values with another's (same shape, any device).</summary>
    public void CopyFrom(Tensor source)
    {
        if (source.Shape != Shape) throw new ArgumentException($"CopyFrom: shape {source.Shape} does not match {Shape}.");
        if (source.Device == Device) Backend.Copy(source.Buffer, 0, Buffer, 0, Count);
        else CopyFrom(source.ToArray());
    }

    /// <summary>A copy on <paramref name="device"/> (a new tensor even when the device is the same).</summary>
    public Tensor To(Device device)
    {
        var t = Empty(Shape, device);
        t.CopyFrom(this);
        return t;
    }

    /// <summary>The value of a one-element tensor (a loss, a sum); throws for any other size.</summary>
    public float Item()
    {
        if (Count != 1) throw new InvalidOperationException($"Item() needs a one-element tensor, not {Shape}.");
        Span<float> v = stackalloc float[1];
        CopyTo(v);
        return v[0];
    }

    /// <summary>A view with another shape of the same element count, sharing storage. Not recorded for autograd:
    /// use <c>Ops.Reshape</c> inside a graph.</summary>
    public Tensor View(Shape shape)
    {
        if (shape.Count != Count) throw new ArgumentException($"View: cannot view {Shape} ({Count} elements) as {shape}.");
        Buffer.AddReference();
        return new Tensor(shape, Buffer);
    }

    /// <summary>Runs back-propagation from this scalar; gradients accumulate into leaves' <see cref="Grad"/>.</summary>
    public void Backward() => Backprop.Run(this);

    /// <summary>Releases this tensor's reference to its storage (views keep it alive) and its place in the graph. Safe to call twice.</summary>
    public void Dispose()
    {
        var b = Interlocked.Exchange(ref _buffer, null);
        b?.Release();
        Node = null;
    }

    /// <summary>Name, shape and device, for messages; never the values.</summary>
    public override string ToString() => $"Tensor{(Name is null ? "" : " " + Name)} {Shape} on {(_buffer is null ? "(disposed)" : Device.ToString())}";
}
