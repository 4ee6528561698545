using DeepImpression.Core.Tensors;

namespace DeepImpression.Core.Layers;

/// <summary>
/// A layer that holds parameters (trainable, with gradients) and persistent state (running statistics), and
/// child links; everything is named by path, as the original Chainer model saved it (<c>aud/conv1_relu/conv/W</c>).
/// Links hold state; the functions in <c>Op</c> compute.
/// </summary>
public abstract class Link
{
    private readonly List<(string Name, Tensor Tensor)> _parameters = [];
    private readonly List<(string Name, Tensor Tensor)> _persistents = [];
    private readonly List<(string Name, Link Link)> _children = [];

    protected Link(Device device) => Device = device;

    public Device Device { get; }

    /// <summary>Training mode: batch statistics in batch norm and running statistics updated.</summary>
    public bool IsTraining { get; private set; } = true;

    public void SetTraining(bool training)
    {
        IsTraining = training;
        OnStateChanged();
        foreach (var (_, child) in _children) child.SetTraining(training);
    }

    /// <summary>Tells this link and its children that their parameters or statistics were overwritten (a checkpoint
    /// loaded into them), so that anything derived from them is derived again.</summary>
    public void ParametersChanged()
    {
        OnStateChanged();
        foreach (var (_, child) in _children) child.ParametersChanged();
    }

    /// <summary>Called when the mode changes or the parameters were overwritten: drop state derived from them.</summary>
    protected virtual void OnStateChanged() { }

    protected Tensor AddParameter(string name, Tensor value)
    {
        value.RequiresGrad = true;
        value.Name = name;
        _parameters.Add((name, value));
        return value;
    }

    protected Tensor AddPersistent(string name, Tensor value)
    {
        value.Name = name;
        _persistents.Add((name, value));
        return value;
    }

    protected T AddChild<T>(string name, T link) where T : Link
    {
        _children.Add((name, link));
        return link;
    }

    /// <summary>Every trainable parameter below this link with its path, in a fixed order.</summary>
    public IEnumerable<(string Path, Tensor Tensor)> NamedParameters(string prefix = "")
    {
        foreach (var (name, t) in _parameters) yield return (prefix + name, t);
        foreach (var (name, child) in _children)
            foreach (var p in child.NamedParameters(prefix + name + "/")) yield return p;
    }

    /// <summary>Every persistent (non-trainable) array below this link with its path.</summary>
    public IEnumerable<(string Path, Tensor Tensor)> NamedPersistents(string prefix = "")
    {
        foreach (var (name, t) in _persistents) yield return (prefix + name, t);
        foreach (var (name, child) in _children)
            foreach (var p in child.NamedPersistents(prefix + name + "/")) yield return p;
    }

    /// <summary>Parameters and persistents together: everything a checkpoint of the weights stores.</summary>
    public IEnumerable<(string Path, Tensor Tensor)> NamedState(string prefix = "") =>
        NamedParameters(prefix).Concat(NamedPersistents(prefix));

    public long ParameterCount => NamedParameters().Sum(p => (long)p.Tensor.Count);

    /// <summary>Marks every gradient stale, so that the next backward pass overwrites instead of adding.</summary>
    public void ZeroGradients()
    {
        foreach (var (_, p) in NamedParameters()) p.GradIsStale = true;
    }

    /// <summary>Creates tensors that outlive any open <see cref="TensorScope"/>: parameters and state are long-lived.</summary>
    protected static Tensor Persistent(Func<Tensor> create)
    {
        using (TensorScope.Suspend()) return create();
    }
}
