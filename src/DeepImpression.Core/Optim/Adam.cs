using DeepImpression.Core.Tensors;

namespace DeepImpression.Core.Optim;

/// <summary>
/// Adam as Chainer defines it: m += (1 − β1)(g − m), v += (1 − β2)(g² − v),
/// θ −= α·sqrt(1 − β2ᵗ)/(1 − β1ᵗ) · m / (sqrt(v) + ε). The original trained with α = 0.0002, β1 = 0.5.
/// </summary>
public sealed class Adam : Optimizer
{
    private readonly Dictionary<string, (Tensor M, Tensor V)> _moments = [];

    /// <summary>Adam over <paramref name="parameters"/>; the defaults are the original's (α = 0.0002, β1 = 0.5).</summary>
    /// <param name="parameters">Parameters with their paths.</param>
    /// <param name="alpha">Step size α.</param>
    /// <param name="beta1">Decay β1 of the first moment.</param>
    /// <param name="beta2">Decay β2 of the second moment.</param>
    /// <param name="epsilon">ε added to sqrt(v) in the denominator.</param>
    public Adam(IEnumerable<(string Path, Tensor Tensor)> parameters, double alpha = 0.0002, double beta1 = 0.5,
        double beta2 = 0.999, double epsilon = 1e-8) : base(parameters)
    {
        Alpha = alpha;
        Beta1 = beta1;
        Beta2 = beta2;
        Epsilon = epsilon;
        foreach (var (path, p) in Parameters) _moments[path] = (ZerosLike(p), ZerosLike(p));
    }

    /// <summary>Step size α; may change between steps (a schedule).</summary>
    public double Alpha { get; set; }
    /// <summary>Decay of the first-moment average.</summary>
    public double Beta1 { get; }
    /// <summary>Decay of the second-moment average.</summary>
    public double Beta2 { get; }
    /// <summary>ε added to sqrt(v) in the denominator.</summary>
    public double Epsilon { get; }

    /// <summary>The bias-corrected step size of the current step count.</summary>
    public double EffectiveLearningRate =>
        Alpha * Math.Sqrt(1 - Math.Pow(Beta2, StepCount)) / (1 - Math.Pow(Beta1, StepCount));

    /// <inheritdoc />
    protected override void Update(string path, Tensor parameter, Tensor gradient)
    {
        var (m, v) = _moments[path];
        parameter.Backend.AdamUpdate(parameter, gradient, m, v, (float)EffectiveLearningRate, (float)Beta1, (float)Beta2, (float)Epsilon);
    }

    /// <summary>The moments of each parameter, <c>PATH/m</c> and <c>PATH/v</c>.</summary>
    public override IEnumerable<(string Path, Tensor Tensor)> NamedState()
    {
        foreach (var (path, _) in Parameters)
        {
            var (m, v) = _moments[path];
            yield return (path + "/m", m);
            yield return (path + "/v", v);
        }
    }

    /// <summary>The step count <c>t</c> and the hyperparameters.</summary>
    public override IReadOnlyDictionary<string, double> Scalars() => new Dictionary<string, double>
    {
        ["t"] = StepCount, ["alpha"] = Alpha, ["beta1"] = Beta1, ["beta2"] = Beta2, ["eps"] = Epsilon,
    };
}
