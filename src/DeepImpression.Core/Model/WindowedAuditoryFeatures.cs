using DeepImpression.Core.Autograd;
using DeepImpression.Core.Tensors;

namespace DeepImpression.Core.Model;

/// <summary>
/// The auditory stream's 256 features of a waveform of any length, fed piece by piece and computed in overlapping
/// windows, so that memory stays bounded however long the clip is. The stitched feature map is the whole-waveform
/// map (<see cref="ResidualStream.FeatureMap"/> of the entire waveform), position for position, and the features are
/// its global average (sum of the stitched map / its length), as <see cref="ResidualStream.Forward"/> computes them.
/// <para>
/// Why it is exact: map position i depends only on the input columns of its <see cref="ReceptiveField"/>,
/// [i·J − P, i·J − P + R) (J = 1024, R = 35,537, P = 17,768 for the auditory stream). A window that starts at a
/// multiple of J, at sample s, gives position i − s/J of its own map the value of position i of the whole map
/// whenever that field lies inside the window (or runs past the waveform's start or end where the window does too, so
/// that both see the same padding). The next window starts at the multiple of J at or below a·J − P, a being the first
/// position not yet computed, and every window but the last has the same length, (B − 1)·J + R + (J·⌈P/J⌉ − P), so
/// that it holds the fields of B positions (<see cref="PositionsPerWindow"/>; the first, which starts at the
/// waveform's start, holds ⌈P/J⌉ more) and the network always sees one input shape; the last window ends with the
/// waveform and takes every position left. Only the float32 rounding can differ between the two computations
/// (convolutions may sum in another order for another input length); the sums here are in float64.
/// </para>
/// The stream must be in evaluation mode (batch norm with running statistics): in training mode each window would be
/// normalised by its own statistics.
/// </summary>
public sealed class WindowedAuditoryFeatures
{
    /// <summary>About 16 s of audio per window (plus the 2.2-s receptive field), so that a 15-s clip is one window,
    /// the same computation as the whole-waveform pass.</summary>
    public const int DefaultPositionsPerWindow = 256;

    private readonly ResidualStream _stream;
    private readonly float[] _buffer;
    private readonly double[] _sum;
    private int _count;            // samples held, from _bufferStart on
    private long _bufferStart;     // global index of _buffer[0]: the start of the next window, a multiple of J
    private long _nextPosition;    // first map position not summed yet
    private bool _completed;

    /// <summary>Features of <paramref name="stream"/> (the auditory stream, in evaluation mode), computed in windows of <paramref name="positionsPerWindow"/> feature-map positions.</summary>
    public WindowedAuditoryFeatures(ResidualStream stream, int positionsPerWindow = DefaultPositionsPerWindow)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (positionsPerWindow < 1) throw new ArgumentOutOfRangeException(nameof(positionsPerWindow), "a window computes at least one position.");
        if (stream.Geometry.InputChannels != 1) throw new ArgumentException("Windowed features are for the auditory stream (1 x 1 x L input).", nameof(stream));
        _stream = stream;
        Field = ReceptiveField.AlongWidth(stream);
        PositionsPerWindow = positionsPerWindow;
        // B fields, and the alignment of a window's start below the first one, J·⌈P/J⌉ − P (the same for every window).
        int alignment = (Field.Padding + Field.Stride - 1) / Field.Stride * Field.Stride - Field.Padding;
        _buffer = new float[checked((positionsPerWindow - 1) * Field.Stride + Field.Size + alignment)];
        _sum = new double[stream.FeatureCount];
    }

    /// <summary>The receptive field of one map position along the waveform.</summary>
    public ReceptiveField Field { get; }

    /// <summary>Map positions each window computes (B).</summary>
    public int PositionsPerWindow { get; }

    /// <summary>The samples of every window but the last (which may be shorter): the bound on this object's memory
    /// and on one window's activations.</summary>
    public int WindowSamples => _buffer.Length;

    /// <summary>Samples added so far.</summary>
    public long Samples { get; private set; }

    /// <summary>Windows run through the stream so far.</summary>
    public int Windows { get; private set; }

    /// <summary>
    /// Called with each stitched piece of the feature map: the global index of its first position, its number of
    /// positions n, and the map (channels x n, channel-major). For analyses over time and for tests.
    /// </summary>
    public Action<long, int, float[]>? MapComputed { get; init; }

    /// <summary>Adds the next samples of the waveform (16 kHz, [-1, 1]); runs every window they complete.</summary>
    public void Add(ReadOnlySpan<float> samples)
    {
        if (_completed) throw new InvalidOperationException("The features are complete; start a new WindowedAuditoryFeatures for another waveform.");
        while (samples.Length > 0)
        {
            int n = Math.Min(samples.Length, _buffer.Length - _count);
            samples[..n].CopyTo(_buffer.AsSpan(_count));
            _count += n;
            Samples += n;
            samples = samples[n..];
            // A window runs once it is full; more samples may follow, so it never ends the waveform.
            while (_count == _buffer.Length) Run(final: false);
        }
    }

    /// <summary>The 256 features of the whole waveform: the last window, then the average of the stitched map.</summary>
    public float[] Complete()
    {
        if (_completed) throw new InvalidOperationException("Complete was already called.");
        if (Samples == 0) throw new InvalidOperationException("No samples were added.");
        Run(final: true);
        _completed = true;
        var features = new float[_sum.Length];
        for (int c = 0; c < features.Length; c++) features[c] = (float)(_sum[c] / _nextPosition);
        return features;
    }

    /// <summary>Length of the whole waveform's map, known once <see cref="Complete"/> has run.</summary>
    public long MapLength => _completed ? _nextPosition : throw new InvalidOperationException("The map length is known once Complete has run.");

    private long WindowStart(long position) => Field.Stride * Math.Max(0, FloorDiv(position * Field.Stride - Field.Padding, Field.Stride));

    /// <summary>The last position whose field ends at or before sample <paramref name="end"/>.</summary>
    private long LastPositionBefore(long end) => FloorDiv(end - Field.Size + Field.Padding, Field.Stride);

    private static long FloorDiv(long a, long b) => a >= 0 ? a / b : -((-a + b - 1) / b);

    /// <summary>Runs the window held in the buffer and sums its positions from _nextPosition on: those whose field
    /// it holds whole, or all that are left when it is the <paramref name="final"/> one.</summary>
    private void Run(bool final)
    {
        if (_stream.IsTraining)
            throw new InvalidOperationException("Windowed features equal the whole-waveform pass only in evaluation mode; call SetTraining(false) first.");
        int length = _count;
        int offset = (int)(_nextPosition - _bufferStart / Field.Stride);
        float[] map;
        int width;
        using (Backprop.NoGrad())
        using (TensorScope.Begin())
        {
            var input = Tensor.FromArray(_buffer.AsSpan(0, length), new Shape(1, 1, 1, length), _stream.Device);
            var output = _stream.FeatureMap(input);
            width = output.Dim(3);
            map = output.ToArray();
        }
        Windows++;
        int take = final ? Math.Max(0, width - offset) : (int)(LastPositionBefore(_bufferStart + length) - _nextPosition + 1);
        if (offset + take > width) throw new InvalidOperationException($"Window map of {width} positions lacks positions {offset}..{offset + take} (receptive field {Field}).");
        int channels = _sum.Length;
        float[]? piece = MapComputed is null ? null : new float[channels * take];
        for (int c = 0; c < channels; c++)
        {
            var row = map.AsSpan(c * width + offset, take);
            double s = 0;
            foreach (float v in row) s += v;
            _sum[c] += s;
            if (piece is not null) row.CopyTo(piece.AsSpan(c * take));
        }
        if (piece is not null) MapComputed!(_nextPosition, take, piece);
        _nextPosition += take;
        if (final) return;

        // Keep the samples from the next window's start on.
        long nextStart = WindowStart(_nextPosition);
        int drop = (int)(nextStart - _bufferStart);
        _buffer.AsSpan(drop, _count - drop).CopyTo(_buffer);
        _count -= drop;
        _bufferStart = nextStart;
    }
}
