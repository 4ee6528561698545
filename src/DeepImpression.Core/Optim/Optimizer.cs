using DeepImpression.Core.Tensors;

namespace DeepImpression.Core.Optim;

/// <summary>
/// Updates named parameters from their gradients. Per-parameter state (moments, velocities) lives on the
/// parameters' device and is exposed by path, so that checkpoints save and restore it exactly.
/// </summary>
public abstract class Optimizer
{
    /// <summary>An optimizer of <paramref name="parameters"/> (usually a model's <c>NamedParameters()</c>); paths must be unique, as they name the state in checkpoints.</summary>
    protected Optimizer(IEnumerable<(string Path, Tensor Tensor)> parameters)
    {
        Parameters = parameters.ToList();
        var duplicate = Parameters.GroupBy(p => p.Path).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new ArgumentException($"Optimizer: parameter path '{duplicate.Key}' appears twice.");
    }

    /// <summary>The parameters this optimizer updates, with their paths, in the order given.</summary>
    public IReadOnlyList<(string Path, Tensor Tensor)> Parameters { get; }

    /// <summary>Number of updates done so far (Chainer's <c>t</c>).</summary>
    public long StepCount { get; set; }

    /// <summary>One update of every parameter that has a fresh gradient.</summary>
    public void Step()
    {
        StepCount++;
        foreach (var (path, p) in Parameters)
        {
            if (p.Grad is null || p.GradIsStale) continue;
            Update(path, p, p.Grad);
        }
    }

    /// <summary>Updates one parameter in place from its gradient.</summary>
    /// <param name="path">The parameter's path, which keys its state.</param>
    /// <param name="parameter">The tensor to update.</param>
    /// <param name="gradient">Its accumulated gradient of this step.</param>
    protected abstract void Update(string path, Tensor parameter, Tensor gradient);

    /// <summary>Per-parameter state arrays by path (e.g. <c>aud/conv1_relu/conv/W/m</c>).</summary>
    public abstract IEnumerable<(string Path, Tensor Tensor)> NamedState();

    /// <summary>Scalar hyperparameters and counters, saved beside the state.</summary>
    public virtual IReadOnlyDictionary<string, double> Scalars() => new Dictionary<string, double> { ["t"] = StepCount };

    /// <summary>Restores what <see cref="Scalars"/> saved (at least the step count <c>t</c>); keys it does not know are ignored.</summary>
    public virtual void LoadScalars(IReadOnlyDictionary<string, double> scalars)
    {
        if (scalars.TryGetValue("t", out var t)) StepCount = (long)t;
    }

    /// <summary>A zero tensor shaped and placed like <paramref name="t"/>, outside any <see cref="TensorScope"/>, for state that lives as long as the optimizer.</summary>
    protected static Tensor ZerosLike(Tensor t)
    {
        using (TensorScope.Suspend()) return Tensor.Zeros(t.Shape, t.Device);
    }
}
