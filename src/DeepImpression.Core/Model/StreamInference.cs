using DeepImpression.Core.Ops;
using DeepImpression.Core.Tensors;

namespace DeepImpression.Core.Model;

/// <summary>
/// The test-time path of a <see cref="ResidualStream"/>: every batch norm folded into the convolution before it
/// (<see cref="FoldedConvolution"/>), the ReLU and the residual add applied as each convolution stores its output, and
/// every intermediate given back as soon as the next layer has read it, so that at most a block's input, its inner
/// activation, its shortcut and its output are held at once. The folded weights are made on first use and kept
/// until the stream's mode or parameters change (<see cref="Layers.Link.SetTraining"/>, <see cref="Layers.Link.ParametersChanged"/>).
/// </summary>
internal sealed class StreamInference(ResidualStream stream) : IDisposable
{
    private readonly object _gate = new();
    private Folded? _folded;

    /// <summary>The folded layers: conv1_relu, then per block branch2a, branch1 (type B only) and branch2b.</summary>
    private sealed record Folded(FoldedConvolution Conv1, (FoldedConvolution A, FoldedConvolution? Shortcut, FoldedConvolution B)[] Blocks)
    {
        public void Dispose()
        {
            Conv1.Dispose();
            foreach (var (a, shortcut, b) in Blocks)
            {
                a.Dispose();
                shortcut?.Dispose();
                b.Dispose();
            }
        }
    }

    private Folded Layers()
    {
        lock (_gate)
            return _folded ??= new Folded(FoldedConvolution.Of(stream.Conv1.Conv, stream.Conv1.Bn),
                stream.Blocks.Select(b => (FoldedConvolution.Of(b.Branch2a, b.Bn2a),
                    b.Branch1 is null ? null : FoldedConvolution.Of(b.Branch1, b.Bn1!),
                    FoldedConvolution.Of(b.Branch2b, b.Bn2b))).ToArray());
    }

    /// <summary>The same map as the stream's layers in evaluation mode (within float rounding); x is left as it was.</summary>
    public Tensor FeatureMap(Tensor x)
    {
        var layers = Layers();
        var stem = layers.Conv1.Forward(x, null, relu: true);
        var h = Op.MaxPool2d(stem, stream.Geometry.Pool1);
        stem.Dispose();
        foreach (var (a, shortcut, b) in layers.Blocks)
        {
            var inner = a.Forward(h, null, relu: true);
            var skip = shortcut is null ? h : shortcut.Forward(h, null, relu: false);
            var output = b.Forward(inner, skip, relu: true);
            inner.Dispose();
            if (!ReferenceEquals(skip, h)) skip.Dispose();
            h.Dispose();
            h = output;
        }
        return h;
    }

    /// <summary>Drops the folded weights; the next call folds the current parameters.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _folded?.Dispose();
            _folded = null;
        }
    }
}
