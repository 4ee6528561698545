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

    /// <summary>A link whose parameters and state live on <paramref name="device"/>.</summary>
    protected Link(Device device) => Device = device;

    /// <summary>The device this link's tensors were created on; its inputs must be there too.</summary>
    public Device Device { get; }

    /// <summary>Training mode: batch statistics in batch norm and running statistics updated.</summary>
    public bool IsTraining { get; private set; } = true;

    /// <summary>Switches this link and every child between training (batch statistics, running averages updated) and evaluation (running statistics), dropping anything derived from the old mode.</summary>
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

    /// <summary>Registers <paramref name="value"/> as a trainable parameter named <paramref name="name"/>: it requires a gradient and is saved, loaded and updated by path.</summary>
    /// <returns><paramref name="value"/>, so a constructor can assign it in one line.</returns>
    protected Tensor AddParameter(string name, Tensor value)
    {
        value.RequiresGrad = true;
        value.Name = name;
        _parameters.Add((name, value));
        return value;
    }

    /// <summary>Registers <paramref name="value"/> as persistent state named <paramref name="name"/> (saved and loaded, never trained), e.g. batch norm's running statistics.</summary>
    /// <returns><paramref name="value"/>.</returns>
    protected Tensor AddPersistent(string name, Tensor value)
    {
        value.Name = name;
        _persistents.Add((name, value));
        return value;
    }

    /// <summary>Registers <paramref name="link"/> as a child named <paramref name="name"/>; its parameters get the path prefix <c>name/</c>.</summary>
    /// <returns><paramref name="link"/>.</returns>
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

    /// <summary>Number of trainable scalars below this link.</summary>
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
