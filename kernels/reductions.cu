// Reductions and the mean-absolute-error loss of the CUDA backend (compiled at run time by NVRTC). Sums run in
// double precision in a fixed order (per-block partial sums, then one block over the partials), so a result does
// not change from run to run.
//
// Rounding: explicit round-to-nearest intrinsics (__dadd_rn, __fsub_rn, ...) throughout, compiled with
// --fmad=false; a host-side test (KernelArithmeticTests) rejects bare floating-point arithmetic here. The sums'
// order differs from the CPU's (a tree here, blocks of 2^16 there), so they agree to the bound of a double sum,
// not bit for bit; the MAE gradient matches the CPU's bits.

#define GRID_STRIDE_LOOP(i, n) \
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < (long long)(n); i += (long long)blockDim.x * gridDim.x)

#define REDUCE_THREADS 256

// Tree reduction of one value per thread within a block of REDUCE_THREADS threads; thread 0 gets the total.
__device__ double block_sum(double value)
{
    __shared__ double shared[REDUCE_THREADS];
    shared[threadIdx.x] = value;
    __syncthreads();
    for (unsigned int half = REDUCE_THREADS / 2; half > 0; half >>= 1)
    {
        if (threadIdx.x < half) shared[threadIdx.x] = __dadd_rn(shared[threadIdx.x], shared[threadIdx.x + half]);
        __syncthreads();
    }
    return shared[0];
}

// partials[block] = sum over this block's share of x[i] (absoluteDifference == 0) or |x[i] - t[i]| (otherwise).
// Launched with REDUCE_THREADS threads per block.
extern "C" __global__ void di_reduce_partial(const float* x, const float* t, int n, int absoluteDifference, double* partials)
{
    double sum = 0.0;
    if (absoluteDifference)
    {
        GRID_STRIDE_LOOP(i, n) sum = __dadd_rn(sum, fabs(__dsub_rn((double)x[i], (double)t[i])));
    }
    else
    {
        GRID_STRIDE_LOOP(i, n) sum = __dadd_rn(sum, (double)x[i]);
    }
    double total = block_sum(sum);
    if (threadIdx.x == 0) partials[blockIdx.x] = total;
}

// output[0] = (sum of partials[0 .. count)) / divisor, rounded once to float as the CPU's (float)(total / count).
// Launched as one block of REDUCE_THREADS threads.
extern "C" __global__ void di_reduce_finish(const double* partials, int count, double divisor, float* output)
{
    double sum = 0.0;
    for (int i = (int)threadIdx.x; i < count; i += REDUCE_THREADS) sum = __dadd_rn(sum, partials[i]);
    double total = block_sum(sum);
    if (threadIdx.x == 0) output[0] = (float)__ddiv_rn(total, divisor);
}

// x viewed as (outer, axis, inner); y[o, j] = sum over a of x[o, a, j], accumulated in double.
extern "C" __global__ void di_sum_axis(const float* x, float* y, int outer, int axis, int inner)
{
    GRID_STRIDE_LOOP(i, (long long)outer * inner)
    {
        long long o = i / inner;
        long long j = i - o * inner;
        const float* row = x + o * (long long)axis * inner + j;
        double sum = 0.0;
        for (int a = 0; a < axis; a++) sum = __dadd_rn(sum, (double)row[(long long)a * inner]);
        y[i] = (float)sum;
    }
}

// dPrediction = +step, -step or 0 by the sign of prediction - target, with step = dLoss[0] / count rounded once:
// the CPU's formula, so the bits agree.
extern "C" __global__ void di_mae_backward(const float* prediction, const float* target, const float* dLoss,
                                           float* dPrediction, int n)
{
    float step = __fdiv_rn(dLoss[0], (float)n);
    GRID_STRIDE_LOOP(i, n)
    {
        float d = __fsub_rn(prediction[i], target[i]);
        dPrediction[i] = d > 0.0f ? step : (d < 0.0f ? -step : 0.0f);
    }
}
