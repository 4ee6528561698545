using DeepImpression.Core.Ops;
using DeepImpression.Core.Tensors;

namespace DeepImpression.Train.Analysis.Occlusion;

/// <summary>
/// One step of a residual stream seen by incremental inference: it computes one activation (node) of
/// <see cref="Channels"/> x <see cref="Height"/> x <see cref="Width"/> from one or two earlier ones. Each stage
/// answers two questions: which region of its output a change of its inputs reaches (<see cref="Reach"/>), and its
/// output over a batch of boxes, computed from input windows cropped with their padding (<see cref="ComputePatch"/>).
/// <see cref="ComputeFull"/> is its ordinary forward, which fills the cache of the unmasked input.
/// </summary>
internal abstract class IncrementalStage(string name, int output, IReadOnlyList<int> inputs, int channels, int height, int width)
{
    /// <summary>The activation's name, e.g. <c>res3a_relu</c> or <c>res3a_relu/branch2a</c>.</summary>
    public string Name { get; } = name;

    /// <summary>The node this stage writes.</summary>
    public int Output { get; } = output;

    /// <summary>The nodes it reads.</summary>
    public IReadOnlyList<int> Inputs { get; } = inputs;

    public int Channels { get; } = channels;
    public int Height { get; } = height;
    public int Width { get; } = width;

    /// <summary>Multiply-adds of its convolutions per output position (0 for pooling).</summary>
    public abstract long MultiplyAddsPerPosition { get; }

    /// <summary>The output region that changes when the input nodes change in <paramref name="changed"/> (indexed by node).</summary>
    public abstract Box Reach(IReadOnlyList<Box> changed);

    /// <summary>The output for the whole input, with the layers' own padding (<paramref name="nodes"/>: every earlier activation).</summary>
    public abstract Tensor ComputeFull(IReadOnlyList<Tensor> nodes);

    /// <summary>The output over the batch's boxes of this stage, from crops of the inputs' current values.</summary>
    public abstract Tensor ComputePatch(PatchBatch batch);

    /// <summary>ReLU of batch normalization in evaluation mode: per element, so a patch gives exactly the full map's values.</summary>
    protected static Tensor NormalizeRelu(Core.Layers.BatchNorm2d bn, Tensor x) => Op.Relu(bn.Forward(x));

    /// <summary>A convolution's geometry without padding: a crop already carries the zeros it needs.</summary>
    protected static Core.Backends.ConvolutionGeometry Unpadded(Core.Backends.ConvolutionGeometry g) => g with { PadH = 0, PadW = 0 };

    /// <summary>The sliding windows of <paramref name="conv"/> along both axes, from an input of <paramref name="inH"/> x <paramref name="inW"/>.</summary>
    protected static (AxisWindow Rows, AxisWindow Columns) Windows(Core.Layers.Conv2d conv, int inH, int inW)
    {
        var g = conv.Geometry;
        var (oh, ow) = g.OutputShape(inH, inW, conv.Kernel.H, conv.Kernel.W);
        return (new AxisWindow(conv.Kernel.H, g.StrideH, g.PadH, inH, oh), new AxisWindow(conv.Kernel.W, g.StrideW, g.PadW, inW, ow));
    }
}
