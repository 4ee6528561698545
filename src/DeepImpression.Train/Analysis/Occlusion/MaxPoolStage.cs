using DeepImpression.Core.Backends;
using DeepImpression.Core.Ops;
using DeepImpression.Core.Tensors;

namespace DeepImpression.Train.Analysis.Occlusion;

/// <summary>
/// The stem's max pooling, with the original's rounded-up ("cover-all") output size: its last window may hang past
/// the padded edge. A crop takes −∞ for every cell outside the input, so those cells never win, exactly as in the
/// full pooling, and the crop is then pooled without padding.
/// </summary>
internal sealed class MaxPoolStage : IncrementalStage
{
    private readonly PoolingGeometry _geometry;
    private readonly AxisWindow _rows, _columns;

    public MaxPoolStage(string name, int output, int input, int channels, PoolingGeometry geometry, (int H, int W) inputSize)
        : this(name, output, input, channels, geometry, inputSize, geometry.OutputShape(inputSize.H, inputSize.W)) { }

    private MaxPoolStage(string name, int output, int input, int channels, PoolingGeometry g, (int H, int W) inSize, (int H, int W) outSize)
        : base(name, output, [input], channels, outSize.H, outSize.W)
    {
        _geometry = g;
        _rows = new AxisWindow(g.KernelH, g.StrideH, g.PadH, inSize.H, outSize.H);
        _columns = new AxisWindow(g.KernelW, g.StrideW, g.PadW, inSize.W, outSize.W);
    }

    public override long MultiplyAddsPerPosition => 0;

    public override Box Reach(IReadOnlyList<Box> changed)
    {
        var x = changed[Inputs[0]];
        return new Box(_rows.Reach(x.Rows), _columns.Reach(x.Columns));
    }

    public override Tensor ComputeFull(IReadOnlyList<Tensor> nodes) => Op.MaxPool2d(nodes[Inputs[0]], _geometry);

    public override Tensor ComputePatch(PatchBatch batch)
    {
        var x = batch.Crop(Inputs[0], _rows, _columns, outsideValue: float.NegativeInfinity);
        return Op.MaxPool2d(x, _geometry with { PadH = 0, PadW = 0, CoverAll = false });
    }
}
