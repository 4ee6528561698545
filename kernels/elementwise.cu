// Element-wise primitives of the CUDA backend, compiled at run time by NVRTC (no headers: NVRTC supplies the
// built-ins). Every kernel walks its range with a grid-stride loop, so any launch size covers any length.
//
// Rounding: each floating-point operation is an explicit round-to-nearest intrinsic (__fadd_rn, __fmul_rn, ...) or
// fmaf exactly where the CPU kernel (src/DeepImpression.Core/Backends/Cpu/Kernels/ElementwiseKernels.cs) fuses a
// multiply-add, so every result has the CPU's bits. The module is also compiled with --fmad=false, and a host-side
// test (KernelArithmeticTests) rejects bare float arithmetic here.

#define GRID_STRIDE_LOOP(i, n) \
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < (long long)(n); i += (long long)blockDim.x * gridDim.x)

// y = a + b
extern "C" __global__ void di_add(const float* a, const float* b, float* y, int n)
{
    GRID_STRIDE_LOOP(i, n) y[i] = __fadd_rn(a[i], b[i]);
}

// y = alpha * x + beta * y, as the CPU's AxpbyOp: fma(alpha, x, beta * y). With beta == 0 the old y is never read
// (NaN in it does not leak through) and y = fma(alpha, x, 0), as the CPU's AffineOp(alpha, 0).
extern "C" __global__ void di_axpby(float alpha, const float* x, float beta, float* y, int n)
{
    if (beta == 0.0f)
    {
        GRID_STRIDE_LOOP(i, n) y[i] = fmaf(alpha, x[i], 0.0f);
    }
    else
    {
        GRID_STRIDE_LOOP(i, n) y[i] = fmaf(alpha, x[i], __fmul_rn(beta, y[i]));
    }
}

// y = scale * x + shift, one fused multiply-add as the CPU's AffineOp.
extern "C" __global__ void di_affine(const float* x, float scale, float shift, float* y, int n)
{
    GRID_STRIDE_LOOP(i, n) y[i] = fmaf(scale, x[i], shift);
}

// Copies `outer` blocks of `blockLength` floats between strided layouts: concatenation and its inverse along any
// axis, where a tensor is viewed as (outer, axis * inner) rows.
extern "C" __global__ void di_copy_blocks(const float* source, float* destination, int outer, int blockLength,
                                          int sourceStride, int sourceOffset, int destinationStride, int destinationOffset)
{
    GRID_STRIDE_LOOP(i, (long long)outer * blockLength)
    {
        long long row = i / blockLength;
        long long column = i - row * blockLength;
        destination[row * destinationStride + destinationOffset + column] = source[row * sourceStride + sourceOffset + column];
    }
}
