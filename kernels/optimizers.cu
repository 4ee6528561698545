// In-place optimizer updates of the CUDA backend (compiled at run time by NVRTC).

#define GRID_STRIDE_LOOP(i, n) \
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < (long long)(n); i += (long long)blockDim.x * gridDim.x)

// Adam with the bias correction folded into learningRate by the caller:
// m += (1 - beta1)(g - m); v += (1 - beta2)(g^2 - v); param -= learningRate * m / (sqrt(v) + epsilon)
extern "C" __global__ void di_adam_update(float* param, const float* grad, float* m, float* v,
                                          float learningRate, float beta1, float beta2, float epsilon, int n)
{
    GRID_STRIDE_LOOP(i, n)
    {
        float g = grad[i];
        float mi = m[i] + (1.0f - beta1) * (g - m[i]);
        float vi = v[i] + (1.0f - beta2) * (g * g - v[i]);
        m[i] = mi;
        v[i] = vi;
        param[i] -= learningRate * mi / (sqrtf(vi) + epsilon);
    }
}

// velocity = momentum * velocity - learningRate * grad; param += velocity
extern "C" __global__ void di_sgd_momentum_update(float* param, const float* grad, float* velocity,
                                                  float learningRate, float momentum, int n)
{
    GRID_STRIDE_LOOP(i, n)
    {
        float vi = momentum * velocity[i] - learningRate * grad[i];
        velocity[i] = vi;
        param[i] += vi;
    }
}
