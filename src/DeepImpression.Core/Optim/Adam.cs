using DeepImpression.Core.Tensors;

namespace DeepImpression.Core.Optim;

/// <summary>
/// Adam as Chainer defines it: m += (1 − β1)(g − m), v += (1 − β2)(g² − v),
/// θ −= α·sqrt(1 − β2ᵗ)/(1 − β1ᵗ) · m / (sqrt(v) + ε). The original trained with α = 0.0002, β1 = 0.5.
/// </summary>
public sealed class Adam : Optimizer
{
    private readonly Dictionary<string, (Tensor M, Tensor V)> _moments = [];

    public Adam(IEnumerable<(string Path, Tensor Tensor)> parameters, double alpha = 0.0002, double beta1 = 0.5,
        double beta2 = 0.999, double epsilon = 1e-8) : base(parameters)
    {
        Alpha = alpha;
        Beta1 = beta1;
        Beta2 = beta2;
        Epsilon = epsilon;
        foreach (var (path, p) in Parameters) _moments[path] = (ZerosLike(p), ZerosLike(p));
    }

    public double Alpha { get; set; }
    public double Beta1 { get; }
    public double Beta2 { get; }
    public double Epsilon { get; }

    /// <summary>The bias-corrected step size of the current step count.</summary>
    public double EffectiveLearningRate =>
        Alpha * Math.Sqrt(1 - Math.Pow(Beta2, StepCount)) / (1 - Math.Pow(Beta1, StepCount));

    protected override void Update(string path, Tensor parameter, Tensor gradient)
    {
        var (m, v) = _moments[path];
        parameter.Backend.AdamUpdate(parameter, gradient, m, v, (float)EffectiveLearningRate, (float)Beta1, (float)Beta2, (float)Epsilon);
    }

    public override IEnumerable<(string Path, Tensor Tensor)> NamedState()
    {
        foreach (var (path, _) in Parameters)
        {
            var (m, v) = _moments[path];
            yield return (path + "/m", m);
            yield return (path + "/v", v);
        }
    }

    public override IReadOnlyDictionary<string, double> Scalars() => new Dictionary<string, double>
    {
        ["t"] = StepCount, ["alpha"] = Alpha, ["beta1"] = Beta1, ["beta2"] = Beta2, ["eps"] = Epsilon,
    };
}
