// In-place optimizer updates of the CUDA backend (compiled at run time by NVRTC).
//
// Rounding: written operation by operation as the CPU kernels (src/DeepImpression.Core/Backends/Cpu/Kernels/
// OptimizerKernels.cs) compute them: explicit round-to-nearest intrinsics, and fmaf exactly where the CPU fuses.
// NVRTC would otherwise contract m*v - lr*g into one FMA and round differently; the module is also compiled with
// --fmad=false, and a host-side test (KernelArithmeticTests) rejects bare float arithmetic here.

#define GRID_STRIDE_LOOP(i, n) \
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < (long long)(n); i += (long long)blockDim.x * gridDim.x)

// Adam with the bias correction folded into learningRate by the caller:
// m = fma(1 - beta1, g - m, m); v = fma(1 - beta2, g*g - v, v); param = param - (learningRate * m) / (sqrt(v) + epsilon)
extern "C" __global__ void di_adam_update(float* param, const float* grad, float* m, float* v,
                                          float learningRate, float beta1, float beta2, float epsilon, int n)
{
    float a1 = __fsub_rn(1.0f, beta1);
    float a2 = __fsub_rn(1.0f, beta2);
    GRID_STRIDE_LOOP(i, n)
    {
        float g = grad[i];
        float mOld = m[i];
        float vOld = v[i];
        float mi = fmaf(a1, __fsub_rn(g, mOld), mOld);
        float vi = fmaf(a2, __fsub_rn(__fmul_rn(g, g), vOld), vOld);
        m[i] = mi;
        v[i] = vi;
        float step = __fdiv_rn(__fmul_rn(learningRate, mi), __fadd_rn(__fsqrt_rn(vi), epsilon));
        param[i] = __fsub_rn(param[i], step);
    }
}

// velocity = momentum * velocity - learningRate * grad (both products rounded, then the difference); param += velocity
extern "C" __global__ void di_sgd_momentum_update(float* param, const float* grad, float* velocity,
                                                  float learningRate, float momentum, int n)
{
    GRID_STRIDE_LOOP(i, n)
    {
        float vi = __fsub_rn(__fmul_rn(momentum, velocity[i]), __fmul_rn(learningRate, grad[i]));
        velocity[i] = vi;
        param[i] = __fadd_rn(param[i], vi);
    }
}
