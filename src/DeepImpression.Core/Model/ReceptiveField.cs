namespace DeepImpression.Core.Model;

/// <summary>
/// The input columns one position of a stream's feature map (<see cref="ResidualStream.FeatureMap"/>) depends on,
/// along the width (the time axis of the auditory stream): position i reads columns
/// [i·<see cref="Stride"/> − <see cref="Padding"/>, i·Stride − Padding + <see cref="Size"/>); columns outside the input
/// are the layers' padding. Every layer of the streams has a centred kernel (2·pad = kernel − 1), so the field of
/// position i is centred on column i·Stride, and <see cref="Padding"/> = (<see cref="Size"/> − 1) / 2.
/// </summary>
public readonly record struct ReceptiveField(int Stride, int Size, int Padding)
{
    /// <summary>One input column: the field of the input itself.</summary>
    public static ReceptiveField Identity { get; } = new(1, 1, 0);

    /// <summary>The field after one more layer with kernel width <paramref name="kernel"/>, stride and padding.</summary>
    public ReceptiveField Then(int kernel, int stride, int pad)
    {
        // A kernel that is not centred would shift the field off column i·Stride, which windowed evaluation relies on.
        if (kernel < 1 || stride < 1 || 2 * pad != kernel - 1)
            throw new NotSupportedException($"Receptive field: kernel {kernel} with padding {pad} is not centred (2·pad must be kernel − 1).");
        return new ReceptiveField(checked(Stride * stride), checked(Size + (kernel - 1) * Stride), checked(Padding + pad * Stride));
    }

    /// <summary>
    /// The field of <paramref name="stream"/>'s feature map along the width: <c>conv1</c>, the max pooling, then per
    /// block its longer path, <c>res_branch2a</c> then <c>res_branch2b</c> (the shortcut, identity or a 1-wide
    /// convolution with the block's stride, reads the centre column of that path's field).
    /// </summary>
    public static ReceptiveField AlongWidth(ResidualStream stream)
    {
        var conv1 = stream.Conv1.Conv;
        var field = Identity.Then(conv1.Kernel.W, conv1.Geometry.StrideW, conv1.Geometry.PadW);
        var pool = stream.Geometry.Pool1;
        field = field.Then(pool.KernelW, pool.StrideW, pool.PadW);
        foreach (var block in stream.Blocks)
        {
            var a = block.Branch2a;
            if (block.Branch1 is { } shortcut && (shortcut.Kernel.W != 1 || shortcut.Geometry.StrideW != a.Geometry.StrideW))
                throw new NotSupportedException("Receptive field: a shortcut that is not a 1-wide convolution with the block's stride.");
            field = field.Then(a.Kernel.W, a.Geometry.StrideW, a.Geometry.PadW);
            var b = block.Branch2b;
            field = field.Then(b.Kernel.W, b.Geometry.StrideW, b.Geometry.PadW);
        }
        return field;
    }
}
