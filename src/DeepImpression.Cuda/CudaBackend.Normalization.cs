using DeepImpression.Core.Backends;
using DeepImpression.Core.Tensors;
using DeepImpression.Cuda.Dnn;
using DeepImpression.Cuda.Interop;

namespace DeepImpression.Cuda;

// Batch normalization through cuDNN's SPATIAL mode (per channel over N, H, W), which computes what IBackend
// specifies: biased batch variance for y and 1/sqrt(var + eps), the unbiased one for the running variance.
public sealed unsafe partial class CudaBackend
{
    /// <inheritdoc />
    public void BatchNormForwardTraining(Tensor x, Tensor gamma, Tensor beta, Tensor y, double exponentialAverageFactor,
        Tensor runningMean, Tensor runningVariance, double epsilon, Tensor saveMean, Tensor saveInvStd)
    {
        var shape = TensorDescriptorShape.FeatureMap(x.Shape);
        if (shape.Count == 0) return;
        float one = 1f, zero = 0f;
        ulong px = Address(x), py = Address(y), pg = Address(gamma), pb = Address(beta);
        ulong prm = Address(runningMean), prv = Address(runningVariance), psm = Address(saveMean), psi = Address(saveInvStd);
        var xDesc = _descriptors.Tensor(0, shape);
        CuDnn.Check(CuDnn.cudnnBatchNormalizationForwardTraining(_cudnn.Value, CuDnnBatchNormMode.Spatial, &one, &zero,
            xDesc, px, xDesc, py, _descriptors.Tensor(1, TensorDescriptorShape.PerChannel(shape.C)), pg, pb, exponentialAverageFactor,
            prm, prv, epsilon, psm, psi), "cudnnBatchNormalizationForwardTraining");
    }

    /// <inheritdoc />
    public void BatchNormForwardInference(Tensor x, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVariance,
        double epsilon, Tensor y)
    {
        var shape = TensorDescriptorShape.FeatureMap(x.Shape);
        if (shape.Count == 0) return;
        float one = 1f, zero = 0f;
        ulong px = Address(x), py = Address(y), pg = Address(gamma), pb = Address(beta), prm = Address(runningMean), prv = Address(runningVariance);
        var xDesc = _descriptors.Tensor(0, shape);
        CuDnn.Check(CuDnn.cudnnBatchNormalizationForwardInference(_cudnn.Value, CuDnnBatchNormMode.Spatial, &one, &zero,
            xDesc, px, xDesc, py, _descriptors.Tensor(1, TensorDescriptorShape.PerChannel(shape.C)), pg, pb, prm, prv, epsilon),
            "cudnnBatchNormalizationForwardInference");
    }

    // The fused primitives run as their two parts in turn, through calls that are already bound and checked;
    // cudnnBatchNormalizationForwardTrainingEx would save a pass over y but needs workspace and reserve-space
    // queries that cannot be exercised without a GPU here.
    /// <inheritdoc />
    public void BatchNormReluForwardTraining(Tensor x, Tensor? z, Tensor gamma, Tensor beta, Tensor y, double exponentialAverageFactor,
        Tensor runningMean, Tensor runningVariance, double epsilon, Tensor saveMean, Tensor saveInvStd)
    {
        BatchNormForwardTraining(x, gamma, beta, y, exponentialAverageFactor, runningMean, runningVariance, epsilon, saveMean, saveInvStd);
        if (z is not null) Add(y, z, y);
        ActivationForward(ActivationMode.Relu, y, y);
    }

    /// <inheritdoc />
    public void BatchNormReluBackward(Tensor x, Tensor y, Tensor dy, Tensor gamma, double epsilon, Tensor saveMean, Tensor saveInvStd,
        Tensor dx, Tensor? dz, Tensor dGamma, Tensor dBeta)
    {
        using var scratch = dz is null ? Tensor.Empty(dy.Shape, dy.Device) : null;
        var gated = dz ?? scratch!;
        ActivationBackward(ActivationMode.Relu, y, dy, gated);
        BatchNormBackward(x, gated, gamma, epsilon, saveMean, saveInvStd, dx, dGamma, dBeta);
    }

    /// <summary>cudnnBatchNormalizationBackward, which wants the forward pass's epsilon beside the saved statistics: the
    /// call carries it, so nothing is looked up on the side.</summary>
    public void BatchNormBackward(Tensor x, Tensor dy, Tensor gamma, double epsilon, Tensor saveMean, Tensor saveInvStd,
        Tensor dx, Tensor dGamma, Tensor dBeta)
    {
        var shape = TensorDescriptorShape.FeatureMap(x.Shape);
        if (shape.Count == 0) return;
        float one = 1f, zero = 0f;
        ulong px = Address(x), pdy = Address(dy), pdx = Address(dx), pg = Address(gamma);
        ulong pdg = Address(dGamma), pdb = Address(dBeta), psm = Address(saveMean), psi = Address(saveInvStd);
        var xDesc = _descriptors.Tensor(0, shape);
        CuDnn.Check(CuDnn.cudnnBatchNormalizationBackward(_cudnn.Value, CuDnnBatchNormMode.Spatial, &one, &zero, &one, &zero,
            xDesc, px, xDesc, pdy, xDesc, pdx, _descriptors.Tensor(1, TensorDescriptorShape.PerChannel(shape.C)), pg, pdg, pdb,
            epsilon, psm, psi), "cudnnBatchNormalizationBackward");
    }
}
