using DeepImpression.Core.Backends;
using DeepImpression.Core.Layers;
using DeepImpression.Core.Ops;
using DeepImpression.Core.Tensors;

namespace DeepImpression.Core.Model;

/// <summary>
/// A residual block. Type A (in == out, stride 1): <c>res_branch2a</c> -> <c>bn_branch2a</c> -> ReLU ->
/// <c>res_branch2b</c> -> <c>bn_branch2b</c>, plus the input, ReLU. Type B (in -> out, strided) adds the shortcut
/// <c>res_branch1</c> (1x1 conv with the block's stride) -> <c>bn_branch1</c> in place of the identity.
/// </summary>
public sealed class ResidualBlock : Link
{
    /// <summary>A residual block; it gets a projection shortcut when the channels change or the stride is not 1.</summary>
    /// <param name="inChannels">Channels of the input.</param>
    /// <param name="outChannels">Channels of the output.</param>
    /// <param name="kernel">Kernel of both main-branch convolutions.</param>
    /// <param name="pad">Zero padding of both main-branch convolutions.</param>
    /// <param name="stride">Stride of the first convolution and of the shortcut.</param>
    /// <param name="rng">Source of the initial weights.</param>
    /// <param name="device">Where the parameters live.</param>
    public ResidualBlock(int inChannels, int outChannels, (int H, int W) kernel, (int H, int W) pad, (int H, int W) stride,
        Rng rng, Device device) : base(device)
    {
        bool projection = inChannels != outChannels || stride != (1, 1);
        if (projection)
        {
            Branch1 = AddChild("res_branch1", new Conv2d(inChannels, outChannels, (1, 1), new ConvolutionGeometry(stride.H, stride.W, 0, 0), rng, device));
            Bn1 = AddChild("bn_branch1", new BatchNorm2d(outChannels, device));
        }
        Branch2a = AddChild("res_branch2a", new Conv2d(inChannels, outChannels, kernel, new ConvolutionGeometry(stride.H, stride.W, pad.H, pad.W), rng, device));
        Bn2a = AddChild("bn_branch2a", new BatchNorm2d(outChannels, device));
        Branch2b = AddChild("res_branch2b", new Conv2d(outChannels, outChannels, kernel, new ConvolutionGeometry(1, 1, pad.H, pad.W), rng, device));
        Bn2b = AddChild("bn_branch2b", new BatchNorm2d(outChannels, device));
    }

    /// <summary>The shortcut's 1x1 convolution (<c>res_branch1</c>); null for an identity shortcut.</summary>
    public Conv2d? Branch1 { get; }
    /// <summary>The shortcut's batch norm (<c>bn_branch1</c>); null for an identity shortcut.</summary>
    public BatchNorm2d? Bn1 { get; }
    /// <summary>The first convolution of the main branch (<c>res_branch2a</c>).</summary>
    public Conv2d Branch2a { get; }
    /// <summary>The batch norm after <see cref="Branch2a"/> (<c>bn_branch2a</c>).</summary>
    public BatchNorm2d Bn2a { get; }
    /// <summary>The second convolution of the main branch (<c>res_branch2b</c>).</summary>
    public Conv2d Branch2b { get; }
    /// <summary>The batch norm after <see cref="Branch2b"/> (<c>bn_branch2b</c>).</summary>
    public BatchNorm2d Bn2b { get; }

    /// <summary>True for type B (projection shortcut).</summary>
    public bool HasProjection => Branch1 is not null;

    /// <summary>ReLU(main branch(x) + shortcut(x)).</summary>
    public Tensor Forward(Tensor x)
    {
        var h = Bn2a.ForwardRelu(Branch2a.Forward(x));
        var shortcut = Branch1 is null ? x : Bn1!.Forward(Branch1.Forward(x));
        return Bn2b.ForwardAddRelu(Branch2b.Forward(h), shortcut);
    }
}
