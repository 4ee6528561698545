using DeepImpression.Core.Ops;
using DeepImpression.Core.Tensors;

namespace DeepImpression.Core.Layers;

/// <summary>
/// Batch normalization per channel: parameters <c>gamma</c> (1) and <c>beta</c> (0); persistent <c>avg_mean</c> (0)
/// and <c>avg_var</c> (1), updated in training mode as avg = decay·avg + (1 − decay)·batch (unbiased variance).
/// Defaults are the original's: eps = 2e-5, decay = 0.9.
/// </summary>
public sealed class BatchNorm2d : Link
{
    public const double DefaultEpsilon = 2e-5;
    public const double DefaultDecay = 0.9;

    public BatchNorm2d(int channels, Device device, double epsilon = DefaultEpsilon, double decay = DefaultDecay) : base(device)
    {
        Epsilon = epsilon;
        Decay = decay;
        Gamma = AddParameter("gamma", Persistent(() => Tensor.Ones(new Shape(channels), device)));
        Beta = AddParameter("beta", Persistent(() => Tensor.Zeros(new Shape(channels), device)));
        AverageMean = AddPersistent("avg_mean", Persistent(() => Tensor.Zeros(new Shape(channels), device)));
        AverageVariance = AddPersistent("avg_var", Persistent(() => Tensor.Ones(new Shape(channels), device)));
    }

    public Tensor Gamma { get; }
    public Tensor Beta { get; }
    public Tensor AverageMean { get; }
    public Tensor AverageVariance { get; }
    public double Epsilon { get; }
    public double Decay { get; }
    public int Channels => Gamma.Dim(0);

    public Tensor Forward(Tensor x) => IsTraining
        ? Op.BatchNormTraining(x, Gamma, Beta, AverageMean, AverageVariance, Decay, Epsilon)
        : Op.BatchNormInference(x, Gamma, Beta, AverageMean, AverageVariance, Epsilon);

    /// <summary>ReLU of <see cref="Forward"/>; in training mode one fused op (see <see cref="Op.BatchNormReluTraining"/>).</summary>
    public Tensor ForwardRelu(Tensor x) => IsTraining
        ? Op.BatchNormReluTraining(x, Gamma, Beta, AverageMean, AverageVariance, Decay, Epsilon)
        : Op.Relu(Op.BatchNormInference(x, Gamma, Beta, AverageMean, AverageVariance, Epsilon));

    /// <summary>ReLU of <see cref="Forward"/> plus a residual; in training mode one fused op (see <see cref="Op.BatchNormAddReluTraining"/>).</summary>
    public Tensor ForwardAddRelu(Tensor x, Tensor residual) => IsTraining
        ? Op.BatchNormAddReluTraining(x, residual, Gamma, Beta, AverageMean, AverageVariance, Decay, Epsilon)
        : Op.Relu(Op.Add(Op.BatchNormInference(x, Gamma, Beta, AverageMean, AverageVariance, Epsilon), residual));
}
