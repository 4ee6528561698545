using DeepImpression.Core.Backends;
using DeepImpression.Core.Ops;
using DeepImpression.Core.Tensors;

namespace DeepImpression.Core.Model;

/// <summary>
/// One 17-layer residual stream (<c>aud</c> or <c>vis</c>): <c>conv1_relu</c>, max pooling (rounding up),
/// <c>res2a_relu</c> ... <c>res5b_relu</c>, global average pooling to (N,256).
/// </summary>
public sealed class ResidualStream : Layers.Link
{
    /// <summary>The names of the eight residual blocks, in order, as the original model saved them.</summary>
    public static IReadOnlyList<string> BlockNames { get; } =
        ["res2a_relu", "res2b_relu", "res3a_relu", "res3b_relu", "res4a_relu", "res4b_relu", "res5a_relu", "res5b_relu"];

    private readonly List<ResidualBlock> _blocks = [];
    private readonly StreamInference _inference;

    /// <summary>A stream shaped by <paramref name="geometry"/> (<see cref="StreamGeometry.Auditory"/> or <see cref="StreamGeometry.Visual"/>), initialized from <paramref name="rng"/> on <paramref name="device"/>.</summary>
    public ResidualStream(StreamGeometry geometry, Rng rng, Device device) : base(device)
    {
        Geometry = geometry;
        var widths = StreamGeometry.StageWidths;
        Conv1 = AddChild("conv1_relu", new ConvBnRelu(geometry.InputChannels, widths[0], geometry.Conv1Kernel, geometry.Conv1, rng, device));
        int channels = widths[0];
        for (int i = 0; i < BlockNames.Count; i++)
        {
            int stage = i / 2;
            int outChannels = widths[stage];
            var stride = i % 2 == 0 && stage > 0 ? geometry.DownsampleStride : (1, 1);
            _blocks.Add(AddChild(BlockNames[i], new ResidualBlock(channels, outChannels, geometry.BlockKernel, geometry.BlockPad, stride, rng, device)));
            channels = outChannels;
        }
        _inference = new StreamInference(this);
    }

    /// <summary>What this stream's input and first layers look like.</summary>
    public StreamGeometry Geometry { get; }
    /// <summary>The stem (<c>conv1_relu</c>).</summary>
    public ConvBnRelu Conv1 { get; }
    /// <summary>The residual blocks, in the order of <see cref="BlockNames"/>.</summary>
    public IReadOnlyList<ResidualBlock> Blocks => _blocks;
    /// <summary>Width of the features <see cref="Forward"/> returns (256).</summary>
    public int FeatureCount => StreamGeometry.StageWidths[^1];

    /// <summary>(N, C, H, W) -> (N, 256) features: the global average of <see cref="FeatureMap"/>.</summary>
    public Tensor Forward(Tensor x) => Op.GlobalAveragePool(FeatureMap(x));

    /// <summary>
    /// (N, C, H, W) -> (N, 256, H', W'): every layer up to <c>res5b_relu</c>, before the global average pooling. Callers
    /// that pool over more than one input (a long waveform in windows, occlusion's changed region) start from here.
    /// </summary>
    /// <remarks>In evaluation mode with nothing recorded for autograd, the stream runs its test-time path: batch norm folded
    /// into the convolutions, ReLU and residual add in their epilogues, intermediates freed as they are read
    /// (<see cref="StreamInference"/>); the numbers are those of the layers in turn, within float rounding.</remarks>
    public Tensor FeatureMap(Tensor x)
    {
        if (x.Rank != 4 || x.Dim(1) != Geometry.InputChannels)
            throw new ArgumentException($"{(Geometry.InputChannels == 1 ? "auditory" : "visual")} stream: input must be (N,{Geometry.InputChannels},H,W), got {x.Shape}.");
        if (!IsTraining && !Autograd.Backprop.ShouldRecord([x, Conv1.Conv.W])) return _inference.FeatureMap(x);
        var h = Conv1.Forward(x);
        h = Op.MaxPool2d(h, Geometry.Pool1);
        foreach (var block in _blocks) h = block.Forward(h);
        return h;
    }

    /// <summary>The folded test-time weights no longer match the mode or the parameters: fold again when next needed.</summary>
    protected override void OnStateChanged() => _inference?.Dispose();

    /// <summary>Every layer's output shape, parameters and multiply-adds (for the whole batch of n) for an input of
    /// n x C x h x w, computed from the geometry alone (nothing runs).</summary>
    public IReadOnlyList<LayerInfo> Describe(string prefix, int n, int h, int w)
    {
        var rows = new List<LayerInfo>();
        var (ch, cw) = Geometry.Conv1.OutputShape(h, w, Geometry.Conv1Kernel.H, Geometry.Conv1Kernel.W);
        int c = Conv1.Conv.OutChannels;
        rows.Add(new LayerInfo(prefix + "conv1_relu", $"conv {Geometry.Conv1Kernel.H}x{Geometry.Conv1Kernel.W} {Geometry.Conv1}, BN, ReLU",
            new Shape(n, c, ch, cw), Count(Conv1), n * Conv1.Conv.MultiplyAdds(ch, cw)));
        (ch, cw) = Geometry.Pool1.OutputShape(ch, cw);
        rows.Add(new LayerInfo(prefix + "pool1", $"max pool {Geometry.Pool1}", new Shape(n, c, ch, cw), 0, 0));
        for (int i = 0; i < _blocks.Count; i++)
        {
            var b = _blocks[i];
            var (oh, ow) = b.Branch2a.Geometry.OutputShape(ch, cw, b.Branch2a.Kernel.H, b.Branch2a.Kernel.W);
            long macs = n * (b.Branch2a.MultiplyAdds(oh, ow) + b.Branch2b.MultiplyAdds(oh, ow) + (b.Branch1?.MultiplyAdds(oh, ow) ?? 0));
            rows.Add(new LayerInfo(prefix + BlockNames[i], $"residual block {(b.HasProjection ? "B" : "A")} {b.Branch2a.Kernel.H}x{b.Branch2a.Kernel.W}",
                new Shape(n, b.Branch2a.OutChannels, oh, ow), Count(b), macs));
            (ch, cw, c) = (oh, ow, b.Branch2a.OutChannels);
        }
        rows.Add(new LayerInfo(prefix + "pool5", "global average pool", new Shape(n, c), 0, 0));
        return rows;
    }

    /// <summary>Every convolution of the stream with the input it sees for an input of n x C x h x w, in order of
    /// evaluation, computed from the geometry alone.</summary>
    public IReadOnlyList<ConvolutionLayer> Convolutions(string prefix, int n, int h, int w)
    {
        var layers = new List<ConvolutionLayer>();
        var input = new Shape(n, Geometry.InputChannels, h, w);
        ConvolutionLayer Add(string path, Layers.Conv2d conv, Shape x)
        {
            var layer = new ConvolutionLayer(prefix + path, x, conv.W.Shape, conv.Geometry);
            layers.Add(layer);
            return layer;
        }
        var output = Add("conv1_relu/conv", Conv1.Conv, input).Output;
        var (ph, pw) = Geometry.Pool1.OutputShape(output[2], output[3]);
        var x = new Shape(n, output[1], ph, pw);
        for (int i = 0; i < _blocks.Count; i++)
        {
            var b = _blocks[i];
            var branch = Add(BlockNames[i] + "/res_branch2a", b.Branch2a, x).Output;
            if (b.Branch1 is not null) Add(BlockNames[i] + "/res_branch1", b.Branch1, x);
            x = Add(BlockNames[i] + "/res_branch2b", b.Branch2b, branch).Output;
        }
        return layers;
    }

    private static long Count(Layers.Link link) => link.ParameterCount;
}
