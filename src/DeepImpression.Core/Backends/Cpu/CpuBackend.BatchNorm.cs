using DeepImpression.Core.Backends.Cpu.Kernels;
using DeepImpression.Core.Tensors;

namespace DeepImpression.Core.Backends.Cpu;

public sealed partial class CpuBackend
{
    /// <inheritdoc />
    public unsafe void BatchNormForwardTraining(Tensor x, Tensor gamma, Tensor beta, Tensor y, double exponentialAverageFactor,
        Tensor runningMean, Tensor runningVariance, double epsilon, Tensor saveMean, Tensor saveInvStd)
    {
        var (n, c, inner) = ChannelLayout(x);
        ChannelKernels.BatchNormTraining(Ptr(x), Ptr(gamma), Ptr(beta), Ptr(y), exponentialAverageFactor, Ptr(runningMean),
            Ptr(runningVariance), epsilon, Ptr(saveMean), Ptr(saveInvStd), n, c, inner);
    }

    /// <inheritdoc />
    public unsafe void BatchNormForwardInference(Tensor x, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVariance,
        double epsilon, Tensor y)
    {
        var (n, c, inner) = ChannelLayout(x);
        ChannelKernels.BatchNormInference(Ptr(x), Ptr(gamma), Ptr(beta), Ptr(runningMean), Ptr(runningVariance), epsilon,
            Ptr(y), n, c, inner);
    }

    /// <summary>Works from the saved 1/sqrt(var + eps), so <paramref name="epsilon"/> is not needed again here.</summary>
    public unsafe void BatchNormBackward(Tensor x, Tensor dy, Tensor gamma, double epsilon, Tensor saveMean, Tensor saveInvStd,
        Tensor dx, Tensor dGamma, Tensor dBeta)
    {
        var (n, c, inner) = ChannelLayout(x);
        ChannelKernels.BatchNormBackward(Ptr(x), Ptr(dy), Ptr(gamma), Ptr(saveMean), Ptr(saveInvStd), Ptr(dx), Ptr(dGamma),
            Ptr(dBeta), n, c, inner);
    }

    /// <inheritdoc />
    public unsafe void BatchNormReluForwardTraining(Tensor x, Tensor? z, Tensor gamma, Tensor beta, Tensor y, double exponentialAverageFactor,
        Tensor runningMean, Tensor runningVariance, double epsilon, Tensor saveMean, Tensor saveInvStd)
    {
        var (n, c, inner) = ChannelLayout(x);
        ChannelKernels.BatchNormTraining(Ptr(x), Ptr(gamma), Ptr(beta), Ptr(y), exponentialAverageFactor, Ptr(runningMean),
            Ptr(runningVariance), epsilon, Ptr(saveMean), Ptr(saveInvStd), n, c, inner, relu: true, residual: z is null ? null : Ptr(z));
    }

    /// <inheritdoc />
    public unsafe void BatchNormReluBackward(Tensor x, Tensor y, Tensor dy, Tensor gamma, double epsilon, Tensor saveMean, Tensor saveInvStd,
        Tensor dx, Tensor? dz, Tensor dGamma, Tensor dBeta)
    {
        var (n, c, inner) = ChannelLayout(x);
        ChannelKernels.BatchNormBackward(Ptr(x), Ptr(dy), Ptr(gamma), Ptr(saveMean), Ptr(saveInvStd), Ptr(dx), Ptr(dGamma),
            Ptr(dBeta), n, c, inner, reluOutput: Ptr(y), gatedGradient: dz is null ? null : Ptr(dz));
    }

    /// <summary>(N, C, elements per channel per example) of an (N, C, ...) tensor.</summary>
    private static (int N, int C, int Inner) ChannelLayout(Tensor x)
    {
        int n = x.Dim(0), c = x.Dim(1);
        return (n, c, n * c == 0 ? 0 : x.Count / (n * c));
    }
}
