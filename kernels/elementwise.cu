// Element-wise primitives of the CUDA backend, compiled at run time by NVRTC (no headers: NVRTC supplies the
// built-ins). Every kernel walks its range with a grid-stride loop, so any launch size covers any length.

#define GRID_STRIDE_LOOP(i, n) \
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < (long long)(n); i += (long long)blockDim.x * gridDim.x)

// y = a + b
extern "C" __global__ void di_add(const float* a, const float* b, float* y, int n)
{
    GRID_STRIDE_LOOP(i, n) y[i] = a[i] + b[i];
}

// y = alpha * x + beta * y; with beta == 0 the old y is never read, so NaN in it does not leak through.
extern "C" __global__ void di_axpby(float alpha, const float* x, float beta, float* y, int n)
{
    if (beta == 0.0f)
    {
        GRID_STRIDE_LOOP(i, n) y[i] = alpha * x[i];
    }
    else
    {
        GRID_STRIDE_LOOP(i, n) y[i] = alpha * x[i] + beta * y[i];
    }
}

// y = scale * x + shift
extern "C" __global__ void di_affine(const float* x, float scale, float shift, float* y, int n)
{
    GRID_STRIDE_LOOP(i, n) y[i] = scale * x[i] + shift;
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
