// Window copies between NCHW tensors (IBackend.CopyWindows): incremental occlusion inference crops each layer's
// input patch, with the layer's padding, from cached activations and pastes recomputed regions. Compiled at run time
// by NVRTC; one thread per (window, channel, row, column) of the largest window.
// Rounding: no floating-point arithmetic at all, only copies and the given outside value, so the result is the CPU's
// bit for bit; compiled with --fmad=false like every module, and a host-side test (KernelArithmeticTests) rejects bare
// floating-point arithmetic here.

#define GRID_STRIDE_LOOP(i, n) \
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < (long long)(n); i += (long long)blockDim.x * gridDim.x)

// windows: count groups of 8 ints (source image, source y, source x, destination image, destination y,
// destination x, height, width). A source cell outside the source reads as outsideValue; a destination cell outside
// the destination is skipped. Destination windows do not overlap, so threads never write the same cell.
extern "C" __global__ void di_copy_windows(const float* source, float* destination, const int* windows, int count,
                                           int channels, int sourceHeight, int sourceWidth, int destinationHeight,
                                           int destinationWidth, int maxHeight, int maxWidth, float outsideValue)
{
    long long cells = (long long)maxHeight * maxWidth;
    long long perWindow = (long long)channels * cells;
    GRID_STRIDE_LOOP(i, perWindow * count)
    {
        int w = (int)(i / perWindow);
        long long rest = i - (long long)w * perWindow;
        int c = (int)(rest / cells);
        int cell = (int)(rest - (long long)c * cells);
        int r = cell / maxWidth;
        int q = cell - r * maxWidth;
        const int* window = windows + 8 * w;
        if (r >= window[6] || q >= window[7]) continue;
        int dy = window[4] + r, dx = window[5] + q;
        if (dy < 0 || dy >= destinationHeight || dx < 0 || dx >= destinationWidth) continue;
        int sy = window[1] + r, sx = window[2] + q;
        float value = (sy >= 0 && sy < sourceHeight && sx >= 0 && sx < sourceWidth)
            ? source[(((long long)window[0] * channels + c) * sourceHeight + sy) * sourceWidth + sx]
            : outsideValue;
        destination[(((long long)window[3] * channels + c) * destinationHeight + dy) * destinationWidth + dx] = value;
    }
}
