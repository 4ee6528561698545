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
    /// <summary>The original's epsilon added to the variance (Chainer's default).</summary>
    public const double DefaultEpsilon = 2e-5;
    /// <summary>The original's decay of the running averages (Chainer's default).</summary>
    public const double DefaultDecay = 0.9;

    /// <summary>Batch normalization over <paramref name="channels"/> channels of (N, C, H, W) inputs.</summary>
    /// <param name="channels">Number of channels C, each with its own gamma, beta and statistics.</param>
    /// <param name="device">Where the parameters live.</param>
    /// <param name="epsilon">Added to the variance before the square root.</param>
    /// <param name="decay">Weight of the old running average in each training update.</param>
    public BatchNorm2d(int channels, Device device, double epsilon = DefaultEpsilon, double decay = DefaultDecay) : base(device)
    {
        Epsilon = epsilon;
        Decay = decay;
        Gamma = AddParameter("gamma", Persistent(() => Tensor.Ones(new Shape(channels), device)));
        Beta = AddParameter("beta", Persistent(() => Tensor.Zeros(new Shape(channels), device)));
        AverageMean = AddPersistent("avg_mean", Persistent(() => Tensor.Zeros(new Shape(channels), device)));
        AverageVariance = AddPersistent("avg_var", Persistent(() => Tensor.Ones(new Shape(channels), device)));
    }

    /// <summary>Per-channel scale (<c>gamma</c>), trainable.</summary>
    public Tensor Gamma { get; }
    /// <summary>Per-channel shift (<c>beta</c>), trainable.</summary>
    public Tensor Beta { get; }
    /// <summary>Running mean per channel (<c>avg_mean</c>), used in evaluation mode.</summary>
    public Tensor AverageMean { get; }
    /// <summary>Running unbiased variance per channel (<c>avg_var</c>), used in evaluation mode.</summary>
    public Tensor AverageVariance { get; }
    /// <summary>Added to the variance before the square root.</summary>
    public double Epsilon { get; }
    /// <summary>Weight of the old running average in each training update.</summary>
    public double Decay { get; }
    /// <summary>Number of channels normalized.</summary>
    public int Channels => Gamma.Dim(0);

    /// <summary>Normalizes (N, C, H, W) <paramref name="x"/> by batch statistics in training mode (updating the running averages) or by the running statistics in evaluation mode.</summary>
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
