using DeepImpression.Core.Tensors;

namespace DeepImpression.Core.Autograd;

/// <summary>
/// One recorded op on the tape: the inputs it read and how to turn the gradient of its output into gradients
/// of those inputs (null for an input that needs none).
/// </summary>
public sealed class GradNode
{
    /// <summary>A node for an op named <paramref name="opName"/> that read <paramref name="inputs"/>; <paramref name="backward"/> maps the output's gradient to one gradient per input, in order. Ops create nodes through <see cref="Backprop.Record"/>, which skips them when nothing needs a gradient.</summary>
    public GradNode(string opName, Tensor[] inputs, Func<Tensor, Tensor?[]> backward)
    {
        OpName = opName;
        Inputs = inputs;
        Backward = backward;
        Tag = Backprop.CurrentTag;
    }

    /// <summary>The op's name, for profiles and messages.</summary>
    public string OpName { get; }
    /// <summary>The tensors the op read, kept alive until the backward pass has used them.</summary>
    public Tensor[] Inputs { get; }
    /// <summary>Turns the output's gradient into the inputs' gradients (null where an input needs none).</summary>
    public Func<Tensor, Tensor?[]> Backward { get; }

    /// <summary>The layer path that was current when the op ran (see <see cref="Backprop.Tagged"/>), for profiles.</summary>
    public string? Tag { get; }
}
