using DeepImpression.Core.Tensors;

namespace DeepImpression.Core.Autograd;

/// <summary>
/// One recorded op on the tape: the inputs it read and how to turn the gradient of its output into gradients
/// of those inputs (null for an input that needs none).
/// </summary>
public sealed class GradNode
{
    public GradNode(string opName, Tensor[] inputs, Func<Tensor, Tensor?[]> backward)
    {
        OpName = opName;
        Inputs = inputs;
        Backward = backward;
        Tag = Backprop.CurrentTag;
    }

    public string OpName { get; }
    public Tensor[] Inputs { get; }
    public Func<Tensor, Tensor?[]> Backward { get; }

    /// <summary>The layer path that was current when the op ran (see <see cref="Backprop.Tagged"/>), for profiles.</summary>
    public string? Tag { get; }
}
