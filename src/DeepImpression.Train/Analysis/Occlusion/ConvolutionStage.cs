using DeepImpression.Core.Layers;
using DeepImpression.Core.Ops;
using DeepImpression.Core.Tensors;

namespace DeepImpression.Train.Analysis.Occlusion;

/// <summary>Convolution, batch normalization, ReLU: the stem <c>conv1_relu</c> and each block's <c>branch2a</c>.</summary>
internal sealed class ConvolutionStage : IncrementalStage
{
    private readonly Conv2d _conv;
    private readonly BatchNorm2d _bn;
    private readonly AxisWindow _rows, _columns;

    public ConvolutionStage(string name, int output, int input, Conv2d conv, BatchNorm2d bn, (int H, int W) inputSize)
        : this(name, output, input, conv, bn, Windows(conv, inputSize.H, inputSize.W)) { }

    private ConvolutionStage(string name, int output, int input, Conv2d conv, BatchNorm2d bn, (AxisWindow Rows, AxisWindow Columns) w)
        : base(name, output, [input], conv.OutChannels, w.Rows.OutputSize, w.Columns.OutputSize)
    {
        (_conv, _bn, _rows, _columns) = (conv, bn, w.Rows, w.Columns);
    }

    public override long MultiplyAddsPerPosition => _conv.MultiplyAdds(1, 1);

    public override Box Reach(IReadOnlyList<Box> changed)
    {
        var x = changed[Inputs[0]];
        return new Box(_rows.Reach(x.Rows), _columns.Reach(x.Columns));
    }

    public override Tensor ComputeFull(IReadOnlyList<Tensor> nodes) => NormalizeRelu(_bn, _conv.Forward(nodes[Inputs[0]]));

    public override Tensor ComputePatch(PatchBatch batch)
    {
        var x = batch.Crop(Inputs[0], _rows, _columns, outsideValue: 0f);
        return NormalizeRelu(_bn, Op.Conv2d(x, _conv.W, _conv.B, Unpadded(_conv.Geometry)));
    }
}
