using DeepImpression.Core.Tensors;

namespace DeepImpression.Core.Optim;

/// <summary>SGD with momentum (Chainer's MomentumSGD): v = μ·v − lr·g; θ += v.</summary>
public sealed class MomentumSgd : Optimizer
{
    private readonly Dictionary<string, Tensor> _velocity = [];

    /// <summary>Momentum SGD over <paramref name="parameters"/> with step size <paramref name="learningRate"/> and momentum <paramref name="momentum"/>.</summary>
    public MomentumSgd(IEnumerable<(string Path, Tensor Tensor)> parameters, double learningRate = 0.01, double momentum = 0.9)
        : base(parameters)
    {
        LearningRate = learningRate;
        Momentum = momentum;
        foreach (var (path, p) in Parameters) _velocity[path] = ZerosLike(p);
    }

    /// <summary>Step size lr; may change between steps (a schedule).</summary>
    public double LearningRate { get; set; }
    /// <summary>Momentum μ: the share of the previous velocity kept.</summary>
    public double Momentum { get; }

    /// <inheritdoc />
    protected override void Update(string path, Tensor parameter, Tensor gradient) =>
        parameter.Backend.SgdMomentumUpdate(parameter, gradient, _velocity[path], (float)LearningRate, (float)Momentum);

    /// <summary>The velocity of each parameter, <c>PATH/v</c>.</summary>
    public override IEnumerable<(string Path, Tensor Tensor)> NamedState()
    {
        foreach (var (path, _) in Parameters) yield return (path + "/v", _velocity[path]);
    }

    /// <summary>The step count <c>t</c> and the hyperparameters.</summary>
    public override IReadOnlyDictionary<string, double> Scalars() => new Dictionary<string, double>
    {
        ["t"] = StepCount, ["lr"] = LearningRate, ["momentum"] = Momentum,
    };
}
