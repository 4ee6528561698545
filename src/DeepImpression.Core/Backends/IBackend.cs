using DeepImpression.Core.Tensors;

namespace DeepImpression.Core.Backends;

/// <summary>
/// The primitives a device supplies. They mirror cuDNN and cuBLAS so that the CUDA backend is a thin mapping;
/// every op's math and gradient are composed from them once, in <c>DeepImpression.Core.Ops</c>.
/// <para>
/// Contract: callers (the ops) have already checked shapes, ranks and devices, so a backend may assume
/// consistent arguments. All tensors are contiguous, row-major (NCHW for 4-D). Outputs are overwritten unless a
/// method says it accumulates. Calls are asynchronous on devices that queue work; <see cref="Synchronize"/> waits,
/// and copies to the host wait for pending work.
/// </para>
/// </summary>
public interface IBackend : IDisposable
{
    /// <summary>The device whose storage this backend owns.</summary>
    Device Device { get; }

    /// <summary>A one-line description for logs, e.g. "cpu (AMD EPYC, 2 threads, AVX-512)".</summary>
    string Description { get; }

    // ---- Memory -------------------------------------------------------------------------------------------

    /// <summary>Storage for <paramref name="count"/> floats; contents undefined. Backends pool released buffers.</summary>
    DeviceBuffer Allocate(int count);
    /// <summary>Copies host floats into <paramref name="destination"/> starting at element <paramref name="destinationOffset"/>.</summary>
    void CopyFromHost(ReadOnlySpan<float> source, DeviceBuffer destination, int destinationOffset);
    /// <summary>Copies <paramref name="destination"/>.Length floats from <paramref name="source"/> at <paramref name="sourceOffset"/> to the host, waiting for pending work.</summary>
    void CopyToHost(DeviceBuffer source, int sourceOffset, Span<float> destination);
    /// <summary>Copies <paramref name="count"/> floats between two buffers of this backend.</summary>
    void Copy(DeviceBuffer source, int sourceOffset, DeviceBuffer destination, int destinationOffset, int count);
    /// <summary>Sets every element of <paramref name="y"/> to <paramref name="value"/>.</summary>
    void Fill(Tensor y, float value);
    /// <summary>Waits until all work queued on this backend has finished (a no-op where calls run synchronously).</summary>
    void Synchronize();

    /// <summary>Bytes currently held by the backend (in use plus cached) and the peak since start.</summary>
    (long Current, long Peak) MemoryInUse { get; }

    // ---- Convolution: x (N,C,H,W), w (K,C,kh,kw), y (N,K,OH,OW) -----------------------------------------------

    /// <summary>
    /// y = x ⋆ w (+ bias[k] when given). cudnnConvolutionForward + cudnnAddTensor. With a reserve (of
    /// <see cref="ConvolutionReserveSize"/> floats) the forward also leaves there what the filter gradient of the same x
    /// would otherwise rebuild, as cuDNN's training calls do in their reserve space.
    /// </summary>
    void ConvolutionForward(Tensor x, Tensor w, Tensor? bias, Tensor y, ConvolutionGeometry geometry, Tensor? reserve = null);

    /// <summary>
    /// y = act(x ⋆ w + bias[k] (+ z)), act ReLU or the identity: a test-time layer with batch norm folded into w and
    /// bias and the residual z (y's shape) added, in one pass over the output. cudnnConvolutionBiasActivationForward.
    /// </summary>
    void ConvolutionBiasActivationForward(Tensor x, Tensor w, Tensor bias, Tensor? z, bool relu, Tensor y, ConvolutionGeometry geometry);

    /// <summary>Floats of reserve space a training forward can fill for <see cref="ConvolutionBackwardFilter"/>; 0 when
    /// this backend keeps nothing between the two for these shapes.</summary>
    long ConvolutionReserveSize(Shape x, Shape w, ConvolutionGeometry geometry);

    /// <summary>dx = gradient of the convolution w.r.t. its input. cudnnConvolutionBackwardData.</summary>
    void ConvolutionBackwardData(Tensor w, Tensor dy, Tensor dx, ConvolutionGeometry geometry);

    /// <summary>dw = gradient w.r.t. the filter. cudnnConvolutionBackwardFilter. The reserve, when given, is the one
    /// the forward of this x filled.</summary>
    void ConvolutionBackwardFilter(Tensor x, Tensor dy, Tensor dw, ConvolutionGeometry geometry, Tensor? reserve = null);

    /// <summary>db[k] = Σ over n, h, w of dy[n,k,h,w] (dy of rank 2 or 4). cudnnConvolutionBackwardBias.</summary>
    void ConvolutionBackwardBias(Tensor dy, Tensor db);

    // ---- Batch normalization, per channel (cuDNN's SPATIAL mode); gamma, beta, statistics are (C) ----------

    /// <summary>
    /// Normalizes with the batch's mean and biased variance over (N,H,W), writes y, saves the batch mean and
    /// 1/sqrt(var + eps), and updates running = (1 - f)·running + f·batch, the variance with the unbiased
    /// correction m/(m-1). cudnnBatchNormalizationForwardTraining.
    /// </summary>
    void BatchNormForwardTraining(Tensor x, Tensor gamma, Tensor beta, Tensor y, double exponentialAverageFactor,
        Tensor runningMean, Tensor runningVariance, double epsilon, Tensor saveMean, Tensor saveInvStd);

    /// <summary>y = gamma·(x − runningMean)/sqrt(runningVariance + eps) + beta. cudnnBatchNormalizationForwardInference.</summary>
    void BatchNormForwardInference(Tensor x, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVariance,
        double epsilon, Tensor y);

    /// <summary>
    /// dx, dgamma, dbeta from the saved batch statistics of the forward that used <paramref name="epsilon"/> (passed
    /// again, as cudnnBatchNormalizationBackward takes it beside the saved mean and 1/sqrt(var + eps)).
    /// </summary>
    void BatchNormBackward(Tensor x, Tensor dy, Tensor gamma, double epsilon, Tensor saveMean, Tensor saveInvStd,
        Tensor dx, Tensor dGamma, Tensor dBeta);

    /// <summary>
    /// <see cref="BatchNormForwardTraining"/> followed by ReLU, y = max(BN(x) + z, 0) with the residual z (x's shape)
    /// added when given, in one pass over the data (bit for bit the primitives in turn).
    /// cudnnBatchNormalizationForwardTrainingEx with CUDNN_BATCHNORM_OPS_BN_ACTIVATION, or _BN_ADD_ACTIVATION with z.
    /// </summary>
    void BatchNormReluForwardTraining(Tensor x, Tensor? z, Tensor gamma, Tensor beta, Tensor y, double exponentialAverageFactor,
        Tensor runningMean, Tensor runningVariance, double epsilon, Tensor saveMean, Tensor saveInvStd);

    /// <summary>
    /// dx, dgamma, dbeta (and dz, the ReLU's gated gradient, when the forward added a residual) of
    /// y = max(BN(x) [+ z], 0) from its output y and dy: the ReLU's gradient and <see cref="BatchNormBackward"/> with
    /// no gradient tensor in between (bit for bit the primitives in turn). cudnnBatchNormalizationBackwardEx.
    /// </summary>
    void BatchNormReluBackward(Tensor x, Tensor y, Tensor dy, Tensor gamma, double epsilon, Tensor saveMean, Tensor saveInvStd,
        Tensor dx, Tensor? dz, Tensor dGamma, Tensor dBeta);

    // ---- Pooling, x (N,C,H,W) -> y (N,C,OH,OW) -----------------------------------------------------------------

    /// <summary>y = pool(x) by <paramref name="mode"/> over the windows of <paramref name="geometry"/>.</summary>
    void PoolingForward(PoolingMode mode, PoolingGeometry geometry, Tensor x, Tensor y);

    /// <summary>dx from x, y and dy (cuDNN's signature; a max-pool backend may recompute the arg max).
    /// Ties go to the first cell in row-major window order.</summary>
    void PoolingBackward(PoolingMode mode, PoolingGeometry geometry, Tensor x, Tensor y, Tensor dy, Tensor dx);

    // ---- Activation (element-wise, any shape) ------------------------------------------------------------------

    /// <summary>y = act(x) element-wise.</summary>
    void ActivationForward(ActivationMode mode, Tensor x, Tensor y);

    /// <summary>dx from the activation's output y and dy (ReLU: dy where y &gt; 0; tanh: dy·(1 − y²)).</summary>
    void ActivationBackward(ActivationMode mode, Tensor y, Tensor dy, Tensor dx);

    // ---- BLAS --------------------------------------------------------------------------------------------------

    /// <summary>
    /// c = alpha·op(a)·op(b) + beta·c on rank-2 row-major tensors, op(a) (M,K), op(b) (K,N), c (M,N);
    /// op transposes when asked. With beta = 0, c's old contents are ignored (even NaN).
    /// </summary>
    void Gemm(bool transposeA, bool transposeB, float alpha, Tensor a, Tensor b, float beta, Tensor c);

    // ---- Element-wise (same shapes unless stated) ------------------------------------------------------------

    /// <summary>y = a + b.</summary>
    void Add(Tensor a, Tensor b, Tensor y);

    /// <summary>y = alpha·x + beta·y (accumulate, scale or copy). With beta = 0, y's old contents are ignored.</summary>
    void Axpby(float alpha, Tensor x, float beta, Tensor y);

    /// <summary>y = scale·x + shift.</summary>
    void Affine(Tensor x, float scale, float shift, Tensor y);

    /// <summary>y[n,c,...] += bias[c] for y of rank 2 (N,C) or 4 (N,C,H,W). cudnnAddTensor with broadcast.</summary>
    void BiasAdd(Tensor y, Tensor bias);

    // ---- Layout ------------------------------------------------------------------------------------------------

    /// <summary>y = the inputs laid side by side along <paramref name="axis"/>; other dimensions equal.</summary>
    void Concat(IReadOnlyList<Tensor> inputs, int axis, Tensor y);

    /// <summary>The inverse of <see cref="Concat"/>: x cut along <paramref name="axis"/> into the outputs.</summary>
    void Split(Tensor x, int axis, IReadOnlyList<Tensor> outputs);

    /// <summary>
    /// Copies rectangles between (N,C,H,W) tensors of equal C: for every window and channel c,
    /// y[dn, c, dy + r, dx + q] = x[sn, c, sy + r, sx + q] for r &lt; Height, q &lt; Width, where a source cell outside
    /// x reads as <paramref name="outsideValue"/> (a layer's padding: 0 for a convolution, −∞ for max pooling) and a
    /// destination cell outside y is skipped. Destination windows must not overlap. Crops and pastes the patches of
    /// incremental (occlusion) inference. The default goes through the host; backends override it with a kernel.
    /// </summary>
    void CopyWindows(Tensor x, Tensor y, IReadOnlyList<WindowCopy> windows, float outsideValue)
    {
        var source = x.ToArray();
        var destination = y.ToArray();
        WindowCopy.ApplyOnHost(source, x.Shape, destination, y.Shape, windows, outsideValue);
        y.CopyFrom(destination);
    }

    // ---- Reductions --------------------------------------------------------------------------------------------

    /// <summary>y = Σ of x along <paramref name="axis"/>; y has x's shape with that dimension set to 1.</summary>
    void SumAxis(Tensor x, int axis, Tensor y);

    /// <summary>y (one element) = Σ of all elements of x, accumulated in double precision or pairwise.</summary>
    void Sum(Tensor x, Tensor y);

    // ---- Loss --------------------------------------------------------------------------------------------------

    /// <summary>loss (one element) = mean |prediction − target|.</summary>
    void MeanAbsoluteError(Tensor prediction, Tensor target, Tensor loss);

    /// <summary>dPrediction = dLoss[0] · sign(prediction − target) / count, with sign(0) = 0.</summary>
    void MeanAbsoluteErrorBackward(Tensor prediction, Tensor target, Tensor dLoss, Tensor dPrediction);

    // ---- Optimizer updates (in place) ------------------------------------------------------------------------

    /// <summary>
    /// m += (1 − beta1)(g − m); v += (1 − beta2)(g² − v); param −= learningRate · m / (sqrt(v) + epsilon).
    /// The bias correction is already folded into <paramref name="learningRate"/> by the caller.
    /// </summary>
    void AdamUpdate(Tensor param, Tensor grad, Tensor m, Tensor v, float learningRate, float beta1, float beta2, float epsilon);

    /// <summary>velocity = momentum·velocity − learningRate·grad; param += velocity.</summary>
    void SgdMomentumUpdate(Tensor param, Tensor grad, Tensor velocity, float learningRate, float momentum);
}
