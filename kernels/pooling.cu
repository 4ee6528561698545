// Pooling that cuDNN cannot do with our semantics (compiled at run time by NVRTC):
//  - max pooling, always: ties go to the first cell in row-major window order (cuDNN does not promise one), and
//    with "cover all" (Chainer's default) the output size rounds up, which cuDNN's descriptors cannot express;
//  - average pooling with "cover all": the divisor counts the window's cells inside the padded input.
// Cells outside the input never win a max; a window holding no input cell (possible only in odd cover-all
// geometries) yields 0 and passes no gradient. Tensors are (planes = N*C, H, W) row-major.
//
// Rounding: every floating-point operation is an explicit round-to-nearest intrinsic (__fadd_rn, __fdiv_rn,
// __dadd_rn, ...), compiled with --fmad=false; a host-side test (KernelArithmeticTests) rejects bare floating-point
// arithmetic here. Gradients add their terms in row-major window order, as the CPU kernels do, so they have the
// CPU's bits; averages sum in double, in the CPU's order only up to its vector blocks.

#define GRID_STRIDE_LOOP(i, n) \
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < (long long)(n); i += (long long)blockDim.x * gridDim.x)

struct PoolShape
{
    int height, width, outHeight, outWidth, kernelH, kernelW, strideH, strideW, padH, padW;
};

__device__ PoolShape make_shape(int height, int width, int outHeight, int outWidth, int kernelH, int kernelW,
                                int strideH, int strideW, int padH, int padW)
{
    PoolShape s;
    s.height = height; s.width = width; s.outHeight = outHeight; s.outWidth = outWidth;
    s.kernelH = kernelH; s.kernelW = kernelW; s.strideH = strideH; s.strideW = strideW; s.padH = padH; s.padW = padW;
    return s;
}

// Index (within the plane) of the first maximal input cell of window (oy, ox), or -1 when the window holds none.
__device__ int window_argmax(const float* plane, const PoolShape& s, int oy, int ox)
{
    int y0 = oy * s.strideH - s.padH, x0 = ox * s.strideW - s.padW;
    int ya = max(y0, 0), yb = min(y0 + s.kernelH, s.height);
    int xa = max(x0, 0), xb = min(x0 + s.kernelW, s.width);
    if (ya >= yb || xa >= xb) return -1;
    int best = ya * s.width + xa;
    float bestValue = plane[best];
    for (int y = ya; y < yb; y++)
        for (int x = xa; x < xb; x++)
        {
            float v = plane[y * s.width + x];
            if (v > bestValue) { bestValue = v; best = y * s.width + x; }
        }
    return best;
}

// The range [first, last] of output positions along one axis whose windows contain input position `position`.
__device__ void covering_windows(int position, int kernel, int stride, int pad, int outSize, int* first, int* last)
{
    int lowest = position + pad - kernel + 1;  // a window starting at o*stride - pad covers position when o*stride >= lowest
    int f = lowest > 0 ? (lowest + stride - 1) / stride : 0;
    int l = (position + pad) / stride;
    *first = f;
    *last = min(l, outSize - 1);
}

extern "C" __global__ void di_max_pool_forward(const float* x, float* y, int planes, int height, int width,
                                               int outHeight, int outWidth, int kernelH, int kernelW,
                                               int strideH, int strideW, int padH, int padW)
{
    PoolShape s = make_shape(height, width, outHeight, outWidth, kernelH, kernelW, strideH, strideW, padH, padW);
    GRID_STRIDE_LOOP(i, (long long)planes * outHeight * outWidth)
    {
        int ox = (int)(i % outWidth);
        int oy = (int)((i / outWidth) % outHeight);
        long long p = i / ((long long)outWidth * outHeight);
        const float* plane = x + p * height * width;
        int best = window_argmax(plane, s, oy, ox);
        y[i] = best < 0 ? 0.0f : plane[best];
    }
}

// dx[cell] = sum of dy over the windows whose first maximal cell is `cell`, in row-major window order.
extern "C" __global__ void di_max_pool_backward(const float* x, const float* dy, float* dx, int planes, int height, int width,
                                                int outHeight, int outWidth, int kernelH, int kernelW,
                                                int strideH, int strideW, int padH, int padW)
{
    PoolShape s = make_shape(height, width, outHeight, outWidth, kernelH, kernelW, strideH, strideW, padH, padW);
    GRID_STRIDE_LOOP(i, (long long)planes * height * width)
    {
        int xx = (int)(i % width);
        int yy = (int)((i / width) % height);
        long long p = i / ((long long)width * height);
        const float* plane = x + p * height * width;
        const float* dyPlane = dy + p * outHeight * outWidth;
        int cell = yy * width + xx;
        int oy0, oy1, ox0, ox1;
        covering_windows(yy, kernelH, strideH, padH, outHeight, &oy0, &oy1);
        covering_windows(xx, kernelW, strideW, padW, outWidth, &ox0, &ox1);
        float g = 0.0f;
        for (int oy = oy0; oy <= oy1; oy++)
            for (int ox = ox0; ox <= ox1; ox++)
                if (window_argmax(plane, s, oy, ox) == cell) g = __fadd_rn(g, dyPlane[oy * outWidth + ox]);
        dx[i] = g;
    }
}

// Number of cells of window (oy, ox) inside the padded input, [-pad, size + pad) on each axis.
__device__ int padded_window_cells(const PoolShape& s, int oy, int ox)
{
    int y0 = oy * s.strideH - s.padH, x0 = ox * s.strideW - s.padW;
    int rows = min(y0 + s.kernelH, s.height + s.padH) - max(y0, -s.padH);
    int columns = min(x0 + s.kernelW, s.width + s.padW) - max(x0, -s.padW);
    return max(rows, 0) * max(columns, 0);
}

extern "C" __global__ void di_average_pool_forward(const float* x, float* y, int planes, int height, int width,
                                                   int outHeight, int outWidth, int kernelH, int kernelW,
                                                   int strideH, int strideW, int padH, int padW)
{
    PoolShape s = make_shape(height, width, outHeight, outWidth, kernelH, kernelW, strideH, strideW, padH, padW);
    GRID_STRIDE_LOOP(i, (long long)planes * outHeight * outWidth)
    {
        int ox = (int)(i % outWidth);
        int oy = (int)((i / outWidth) % outHeight);
        long long p = i / ((long long)outWidth * outHeight);
        const float* plane = x + p * height * width;
        int y0 = oy * strideH - padH, x0 = ox * strideW - padW;
        int ya = max(y0, 0), yb = min(y0 + kernelH, height);
        int xa = max(x0, 0), xb = min(x0 + kernelW, width);
        double sum = 0.0;
        for (int yy = ya; yy < yb; yy++)
            for (int xx = xa; xx < xb; xx++) sum = __dadd_rn(sum, (double)plane[yy * width + xx]);
        int cells = padded_window_cells(s, oy, ox);
        y[i] = cells > 0 ? (float)__ddiv_rn(sum, (double)cells) : 0.0f;
    }
}

extern "C" __global__ void di_average_pool_backward(const float* dy, float* dx, int planes, int height, int width,
                                                    int outHeight, int outWidth, int kernelH, int kernelW,
                                                    int strideH, int strideW, int padH, int padW)
{
    PoolShape s = make_shape(height, width, outHeight, outWidth, kernelH, kernelW, strideH, strideW, padH, padW);
    GRID_STRIDE_LOOP(i, (long long)planes * height * width)
    {
        int xx = (int)(i % width);
        int yy = (int)((i / width) % height);
        long long p = i / ((long long)width * height);
        const float* dyPlane = dy + p * outHeight * outWidth;
        int oy0, oy1, ox0, ox1;
        covering_windows(yy, kernelH, strideH, padH, outHeight, &oy0, &oy1);
        covering_windows(xx, kernelW, strideW, padW, outWidth, &ox0, &ox1);
        float g = 0.0f;
        for (int oy = oy0; oy <= oy1; oy++)
            for (int ox = ox0; ox <= ox1; ox++)
            {
                int cells = padded_window_cells(s, oy, ox);
                if (cells > 0) g = __fadd_rn(g, __fdiv_rn(dyPlane[oy * outWidth + ox], (float)cells));
            }
        dx[i] = g;
    }
}
