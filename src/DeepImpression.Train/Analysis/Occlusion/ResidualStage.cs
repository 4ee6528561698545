using DeepImpression.Core.Model;
using DeepImpression.Core.Ops;
using DeepImpression.Core.Tensors;

namespace DeepImpression.Train.Analysis.Occlusion;

/// <summary>
/// A residual block's tail: relu(bn_branch2b(res_branch2b(h)) + shortcut(x)), where h is the block's
/// <c>branch2a</c> activation (a <see cref="ConvolutionStage"/>) and the shortcut is x itself or
/// bn_branch1(res_branch1(x)) (1x1, strided). Its output changes where either path changes.
/// </summary>
internal sealed class ResidualStage : IncrementalStage
{
    private readonly ResidualBlock _block;
    private readonly AxisWindow _rows, _columns;
    private readonly AxisWindow _shortcutRows, _shortcutColumns;

    /// <param name="branch2a">The node of the block's h (same size as the output).</param>
    /// <param name="blockInput">The block's input x.</param>
    /// <param name="name">The stage's name in plans and logs.</param>
    /// <param name="output">The node the block's output is written to.</param>
    /// <param name="block">The residual block recomputed.</param>
    /// <param name="inputSize">Height and width of the block's input.</param>
    public ResidualStage(string name, int output, int branch2a, int blockInput, ResidualBlock block, (int H, int W) inputSize)
        : this(name, output, branch2a, blockInput, block, inputSize, Windows(block.Branch2a, inputSize.H, inputSize.W)) { }

    private ResidualStage(string name, int output, int branch2a, int blockInput, ResidualBlock block, (int H, int W) inSize,
        (AxisWindow Rows, AxisWindow Columns) branch2aWindows)
        : base(name, output, [branch2a, blockInput], block.Branch2b.OutChannels, branch2aWindows.Rows.OutputSize, branch2aWindows.Columns.OutputSize)
    {
        _block = block;
        (_rows, _columns) = Windows(block.Branch2b, Height, Width);
        (_shortcutRows, _shortcutColumns) = block.Branch1 is { } projection
            ? Windows(projection, inSize.H, inSize.W)
            : (new AxisWindow(1, 1, 0, inSize.H, Height), new AxisWindow(1, 1, 0, inSize.W, Width));
    }

    public override long MultiplyAddsPerPosition => _block.Branch2b.MultiplyAdds(1, 1) + (_block.Branch1?.MultiplyAdds(1, 1) ?? 0);

    public override Box Reach(IReadOnlyList<Box> changed)
    {
        var h = changed[Inputs[0]];
        var x = changed[Inputs[1]];
        var fromMain = new Box(_rows.Reach(h.Rows), _columns.Reach(h.Columns));
        var fromShortcut = new Box(_shortcutRows.Reach(x.Rows), _shortcutColumns.Reach(x.Columns));
        return fromMain.Hull(fromShortcut);
    }

    public override Tensor ComputeFull(IReadOnlyList<Tensor> nodes)
    {
        var h = nodes[Inputs[0]];
        var x = nodes[Inputs[1]];
        var main = _block.Bn2b.Forward(_block.Branch2b.Forward(h));
        var shortcut = _block.Branch1 is { } projection ? _block.Bn1!.Forward(projection.Forward(x)) : x;
        return Op.Relu(Op.Add(main, shortcut));
    }

    public override Tensor ComputePatch(PatchBatch batch)
    {
        var h = batch.Crop(Inputs[0], _rows, _columns, outsideValue: 0f);
        var main = _block.Bn2b.Forward(Op.Conv2d(h, _block.Branch2b.W, _block.Branch2b.B, Unpadded(_block.Branch2b.Geometry)));
        var x = batch.Crop(Inputs[1], _shortcutRows, _shortcutColumns, outsideValue: 0f);
        var shortcut = _block.Branch1 is { } projection
            ? _block.Bn1!.Forward(Op.Conv2d(x, projection.W, projection.B, Unpadded(projection.Geometry)))
            : x;
        return Op.Relu(Op.Add(main, shortcut));
    }
}
