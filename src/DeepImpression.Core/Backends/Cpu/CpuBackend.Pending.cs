using DeepImpression.Core.Tensors;

namespace DeepImpression.Core.Backends.Cpu;

// Placeholder until the CPU primitives land; each family moves to its own CpuBackend.*.cs file.
public sealed partial class CpuBackend
{
    public void ConvolutionForward(Tensor x, Tensor w, Tensor? bias, Tensor y, ConvolutionGeometry geometry) => throw new NotImplementedException();
    public void ConvolutionBackwardData(Tensor w, Tensor dy, Tensor dx, ConvolutionGeometry geometry) => throw new NotImplementedException();
    public void ConvolutionBackwardFilter(Tensor x, Tensor dy, Tensor dw, ConvolutionGeometry geometry) => throw new NotImplementedException();
    public void ConvolutionBackwardBias(Tensor dy, Tensor db) => throw new NotImplementedException();
    public void BatchNormForwardTraining(Tensor x, Tensor gamma, Tensor beta, Tensor y, double exponentialAverageFactor, Tensor runningMean, Tensor runningVariance, double epsilon, Tensor saveMean, Tensor saveInvStd) => throw new NotImplementedException();
    public void BatchNormForwardInference(Tensor x, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVariance, double epsilon, Tensor y) => throw new NotImplementedException();
    public void BatchNormBackward(Tensor x, Tensor dy, Tensor gamma, Tensor saveMean, Tensor saveInvStd, Tensor dx, Tensor dGamma, Tensor dBeta) => throw new NotImplementedException();
    public void PoolingForward(PoolingMode mode, PoolingGeometry geometry, Tensor x, Tensor y) => throw new NotImplementedException();
    public void PoolingBackward(PoolingMode mode, PoolingGeometry geometry, Tensor x, Tensor y, Tensor dy, Tensor dx) => throw new NotImplementedException();
    public void ActivationForward(ActivationMode mode, Tensor x, Tensor y) => throw new NotImplementedException();
    public void ActivationBackward(ActivationMode mode, Tensor y, Tensor dy, Tensor dx) => throw new NotImplementedException();
    public void Gemm(bool transposeA, bool transposeB, float alpha, Tensor a, Tensor b, float beta, Tensor c) => throw new NotImplementedException();
    public void Add(Tensor a, Tensor b, Tensor y) => throw new NotImplementedException();
    public void Axpby(float alpha, Tensor x, float beta, Tensor y) => throw new NotImplementedException();
    public void Affine(Tensor x, float scale, float shift, Tensor y) => throw new NotImplementedException();
    public void BiasAdd(Tensor y, Tensor bias) => throw new NotImplementedException();
    public void Concat(IReadOnlyList<Tensor> inputs, int axis, Tensor y) => throw new NotImplementedException();
    public void Split(Tensor x, int axis, IReadOnlyList<Tensor> outputs) => throw new NotImplementedException();
    public void SumAxis(Tensor x, int axis, Tensor y) => throw new NotImplementedException();
    public void Sum(Tensor x, Tensor y) => throw new NotImplementedException();
    public void MeanAbsoluteError(Tensor prediction, Tensor target, Tensor loss) => throw new NotImplementedException();
    public void MeanAbsoluteErrorBackward(Tensor prediction, Tensor target, Tensor dLoss, Tensor dPrediction) => throw new NotImplementedException();
    public void AdamUpdate(Tensor param, Tensor grad, Tensor m, Tensor v, float learningRate, float beta1, float beta2, float epsilon) => throw new NotImplementedException();
    public void SgdMomentumUpdate(Tensor param, Tensor grad, Tensor velocity, float learningRate, float momentum) => throw new NotImplementedException();
}
