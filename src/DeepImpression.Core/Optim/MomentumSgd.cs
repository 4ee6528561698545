using DeepImpression.Core.Tensors;

namespace DeepImpression.Core.Optim;

/// <summary>SGD with momentum (Chainer's MomentumSGD): v = μ·v − lr·g; θ += v.</summary>
public sealed class MomentumSgd : Optimizer
{
    private readonly Dictionary<string, Tensor> _velocity = [];

    public MomentumSgd(IEnumerable<(string Path, Tensor Tensor)> parameters, double learningRate = 0.01, double momentum = 0.9)
        : base(parameters)
    {
        LearningRate = learningRate;
        Momentum = momentum;
        foreach (var (path, p) in Parameters) _velocity[path] = ZerosLike(p);
    }

    public double LearningRate { get; set; }
    public double Momentum { get; }

    protected override void Update(string path, Tensor parameter, Tensor gradient) =>
        parameter.Backend.SgdMomentumUpdate(parameter, gradient, _velocity[path], (float)LearningRate, (float)Momentum);

    public override IEnumerable<(string Path, Tensor Tensor)> NamedState()
    {
        foreach (var (path, _) in Parameters) yield return (path + "/v", _velocity[path]);
    }

    public override IReadOnlyDictionary<string, double> Scalars() => new Dictionary<string, double>
    {
        ["t"] = StepCount, ["lr"] = LearningRate, ["momentum"] = Momentum,
    };
}
