using DeepImpression.Cuda.Kernels;

namespace DeepImpression.Cuda.Tests.HostSide;

/// <summary>
/// The kernels round exactly as the CPU kernels do: every floating-point operation is an explicit round-to-nearest
/// intrinsic (or fmaf where the CPU fuses), and NVRTC is told not to contract multiply-adds. NVRTC's default
/// (--fmad=true) turned the SGD update's m*v - lr*g into one FMA, 3.5 times the old parity tolerance away from the CPU.
/// </summary>
[TestFixture]
public class KernelArithmeticTests
{
    [Test]
    public void NoKernelWritesFloatingPointArithmeticWithBareOperators()
    {
        foreach (var module in KernelSources.Modules)
        {
            var findings = CudaArithmeticScanner.Find(KernelSources.Read(module));
            Assert.That(findings, Is.Empty, $"kernels/{module}.cu: use __fadd_rn/__fsub_rn/__fmul_rn/__fdiv_rn (or fmaf where the CPU " +
                                            $"fuses) instead of:\n{string.Join('\n', findings)}");
        }
    }

    [Test]
    public void EveryModuleSaysHowItRounds()
    {
        foreach (var module in KernelSources.Modules)
            Assert.That(KernelSources.Read(module), Does.Contain("Rounding:").And.Contain("--fmad=false"), $"kernels/{module}.cu");
    }

    [Test]
    public void NvrtcIsToldNotToContractMultiplyAddsNorToFlushDenormals()
    {
        Assert.That(KernelCompiler.ExtraOptions, Is.SupersetOf(new[] { "--fmad=false", "--ftz=false", "--prec-div=true", "--prec-sqrt=true" }));
    }

    /// <summary>The old optimizers.cu: each contractible update is found, on its own line.</summary>
    [Test]
    public void TheScannerFindsTheContractibleUpdatesTheKernelsUsedToHave()
    {
        const string source = """
            #define GRID_STRIDE_LOOP(i, n) for (long long i = blockIdx.x; i < (long long)(n); i += blockDim.x * gridDim.x)
            extern "C" __global__ void adam(float* param, const float* grad, float* m, float* v, float lr, float beta1, float beta2, float eps, int n)
            {
                GRID_STRIDE_LOOP(i, n)
                {
                    float g = grad[i];
                    float mi = m[i] + (1.0f - beta1) * (g - m[i]);
                    float vi = v[i] + (1.0f - beta2) * (g * g - v[i]);
                    param[i] -= lr * mi / (sqrtf(vi) + eps);
                }
            }
            extern "C" __global__ void sgd(float* param, const float* grad, float* velocity, float lr, float momentum, int n)
            {
                GRID_STRIDE_LOOP(i, n)
                {
                    float vi = momentum * velocity[i] - lr * grad[i];
                    param[i] += vi;
                }
            }
            """;
        var findings = CudaArithmeticScanner.Find(source);
        Assert.That(findings.Select(f => f.Line).Distinct(), Is.EqualTo(new[] { 7, 8, 9, 16, 17 }), string.Join('\n', findings));
        Assert.That(findings.Where(f => f.Line == 16).Select(f => f.Operator), Is.EquivalentTo(new[] { "*", "-", "*" }));
        Assert.That(findings.Where(f => f.Line == 9).Select(f => f.Operator), Is.SupersetOf(new[] { "-=", "*", "/", "+" }));
    }

    [Test]
    public void TheScannerFollowsTypesThroughCastsCallsFieldsArraysAndScopes()
    {
        const string source = """
            struct Box { int size; float weight; };
            __device__ double total(double a) { return a; }
            __device__ int count(int a) { return a; }
            extern "C" __global__ void k(const float* x, float* y, double* partial, int n, Box b)
            {
                __shared__ double shared[256];
                int i = threadIdx.x;
                y[i] = (float)i * 2;
                partial[0] += x[i];
                shared[i] += shared[i + 1];
                y[i] = total(1) + 1;
                y[i] = b.weight * 3;
                y[i] = n > 0 ? x[i] / 2 : 0;
                y[i] = -x[i] - 1.5f;
                int g = count(2) * 3;
            }
            extern "C" __global__ void other(float g, int n)
            {
                g = g * 2;
            }
            """;
        var findings = CudaArithmeticScanner.Find(source);
        Assert.That(findings.Select(f => f.Line).Distinct(), Is.EqualTo(new[] { 8, 9, 10, 11, 12, 13, 14, 19 }), string.Join('\n', findings));
        Assert.That(findings.Where(f => f.Line == 10).Select(f => f.Operator), Is.EqualTo(new[] { "+=" }), "the index i + 1 is an int");
    }

    [Test]
    public void IntegerIndexArithmeticPointerOffsetsAndIntrinsicsPass()
    {
        const string source = """
            struct Shape { int height, width, stride; };
            __device__ int first(const Shape& s, int oy, int ox) { int y0 = oy * s.stride - 1, x0 = ox * s.stride - 1; return y0 * s.width + x0; }
            extern "C" __global__ void k(const float* x, float* y, double* sum, float alpha, int n, int width)
            {
                for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += (long long)blockDim.x * gridDim.x)
                {
                    const float* row = x + i / width * width;
                    long long column = i - i / width * width;
                    float g = 0.0f;
                    g = __fadd_rn(g, __fdiv_rn(row[column], (float)n));
                    y[i] = fmaf(alpha, x[i], __fmul_rn(alpha, y[i])) > 0.0f ? -g : 0.0f;
                    sum[0] = __dadd_rn(sum[0], (double)x[i + 1]);
                }
            }
            """;
        Assert.That(CudaArithmeticScanner.Find(source), Is.Empty);
    }
}
