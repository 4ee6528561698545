using DeepImpression.Core.Backends;
using DeepImpression.Core.Tensors;
using DeepImpression.Core.Tests.Reference;
using static DeepImpression.Cuda.Tests.Parity.ErrorBound;

namespace DeepImpression.Cuda.Tests.Parity;

/// <summary>
/// Every backend primitive on a device under test, against an independent float64 reference
/// (<see cref="NaiveReference"/>) from the same float32 inputs, each element within a bound derived from the
/// operation (<see cref="ErrorBound"/>): a dot product of length K within γ_K·Σ|x·w|, and so on. Backward checks
/// get their inputs as data (the y of tanh, the saved statistics of batch normalization), so every device is fed
/// the same numbers. The checks run on the CPU in CI (<see cref="CpuPrimitiveParityTests"/>), which proves the bounds
/// are ones a correct float32 implementation meets, and on the GPU (<see cref="GpuPrimitiveParityTests"/>).
/// </summary>
public abstract partial class PrimitiveParityChecks
{
    /// <summary>The device whose backend is checked.</summary>
    protected abstract Device Device { get; }

    protected IBackend Backend => BackendRegistry.Get(Device);

    // ---- data ---------------------------------------------------------------------------------------------------

    protected static float[] Uniform(int count, int seed, float low = -1f, float high = 1f)
    {
        var random = new Random(seed);
        var data = new float[count];
        for (int i = 0; i < count; i++) data[i] = (float)(low + (high - low) * random.NextDouble());
        return data;
    }

    protected Tensor On(float[] data, params int[] shape) => Tensor.FromArray(data, new Shape(shape), Device);

    /// <summary>An output filled with NaN first, so that an element the primitive forgets shows.</summary>
    protected Tensor Output(params int[] shape) => Tensor.Full(new Shape(shape), float.NaN, Device);

    private static int Count(int[] shape) => shape.Aggregate(1, (a, b) => a * b);

    // ---- activations ---------------------------------------------------------------------------------------------

    /// <summary>
    /// ReLU rounds nothing: exact. tanh is transcendental and libraries differ by a few units in the last place:
    /// glibc's tanhf and CUDA's tanhf are within 2 ulp, and an exp-based formula (1 − 2/(e^2x + 1)) is off by a few u
    /// absolutely near 0, so the forward bound is 4u·|tanh x| + 4u. Its backward, dy·(1 − y²) from the given y, rounds
    /// three times: γ_3·|dy|·(y² + |1 − y²|).
    /// </summary>
    [TestCase(ActivationMode.Relu)]
    [TestCase(ActivationMode.Tanh)]
    public void ActivationForwardAndBackward(ActivationMode mode)
    {
        int[] shape = [3, 5, 2, 7];
        var x = Uniform(Count(shape), 31, -3f, 3f);
        var dy = Uniform(x.Length, 32);
        using var tx = On(x, shape);
        using var ty = Output(shape);
        Backend.ActivationForward(mode, tx, ty);
        var y = mode == ActivationMode.Relu ? x.Select(v => Math.Max(v, 0f)).ToArray() : x.Select(v => (float)Math.Tanh(v)).ToArray();
        if (mode == ActivationMode.Relu) ParityAssert.Exact(ty.ToArray(), y, "ReLU forward");
        else ParityAssert.Within(ty.ToArray(), x.Select(v => Math.Tanh(v)).ToArray(), x.Select(v => 4 * U * Math.Abs(Math.Tanh(v)) + 4 * U).ToArray(), "tanh forward");

        // The backward gets the same y on every device (the reference's, rounded), not each device's own forward.
        using var givenY = On(y, shape);
        using var tdy = On(dy, shape);
        using var tdx = Output(shape);
        Backend.ActivationBackward(mode, givenY, tdy, tdx);
        if (mode == ActivationMode.Relu)
            ParityAssert.Exact(tdx.ToArray(), y.Zip(dy, (a, g) => a > 0 ? g : 0f).ToArray(), "ReLU backward");
        else
            ParityAssert.Within(tdx.ToArray(),
                y.Zip(dy, (a, g) => g * (1.0 - (double)a * a)).ToArray(),
                y.Zip(dy, (a, g) => Gamma(3) * Math.Abs(g) * ((double)a * a + Math.Abs(1.0 - (double)a * a))).ToArray(), "tanh backward");
    }

    // ---- BLAS ----------------------------------------------------------------------------------------------------

    /// <summary>c = α·op(a)·op(b) + β·c: a dot product of length K, scaled, plus β·c: γ_{K+2}·(|α|·Σ|a·b| + |β·c|).
    /// With β = 0 the old c (NaN here) must not show.</summary>
    [TestCase(false, false, 0f)]
    [TestCase(true, false, 0.5f)]
    [TestCase(false, true, 0f)]
    [TestCase(true, true, 1f)]
    public void Gemm(bool transposeA, bool transposeB, float beta)
    {
        const int m = 7, n = 5, k = 33;
        const float alpha = 1.5f;
        var a = Uniform(m * k, 41);
        var b = Uniform(k * n, 42);
        var c = Enumerable.Repeat(beta == 0f ? float.NaN : 0.25f, m * n).ToArray();
        using var ta = transposeA ? On(a, k, m) : On(a, m, k);
        using var tb = transposeB ? On(b, n, k) : On(b, k, n);
        using var tc = On(c, m, n);
        Backend.Gemm(transposeA, transposeB, alpha, ta, tb, beta, tc);
        var reference = NaiveReference.Gemm(transposeA, transposeB, m, n, k, alpha, a, b, beta, beta == 0f ? null : c);
        var magnitude = NaiveReference.Gemm(transposeA, transposeB, m, n, k, alpha, Abs(a), Abs(b), Math.Abs(beta), beta == 0f ? null : Abs(c));
        ParityAssert.Within(tc.ToArray(), reference, Scaled(Gamma(k + 2), magnitude), $"gemm{(transposeA ? " Aᵀ" : "")}{(transposeB ? " Bᵀ" : "")} β={beta}");
    }

    // ---- convolution ---------------------------------------------------------------------------------------------

    /// <summary>Shapes of the kinds the network has, small enough for the nested-loop reference.</summary>
    public static IEnumerable<TestCaseData> ConvolutionCases()
    {
        yield return new TestCaseData(new NaiveReference.ConvCase(2, 3, 20, 18, 4, 7, 7, 2, 2, 3, 3)).SetArgDisplayNames("visual conv1 7x7/2");
        yield return new TestCaseData(new NaiveReference.ConvCase(2, 1, 1, 300, 4, 1, 49, 1, 4, 0, 24)).SetArgDisplayNames("auditory conv1 1x49/(1,4)");
        yield return new TestCaseData(new NaiveReference.ConvCase(3, 8, 9, 9, 8, 3, 3, 1, 1, 1, 1)).SetArgDisplayNames("block 3x3/1");
        yield return new TestCaseData(new NaiveReference.ConvCase(3, 8, 9, 9, 16, 1, 1, 2, 2, 0, 0)).SetArgDisplayNames("shortcut 1x1/2");
        yield return new TestCaseData(new NaiveReference.ConvCase(2, 8, 1, 37, 16, 1, 9, 1, 4, 0, 4)).SetArgDisplayNames("auditory block 1x9/(1,4)");
    }

    private static ConvolutionGeometry Geometry(NaiveReference.ConvCase s) => new(s.SH, s.SW, s.PH, s.PW);

    /// <summary>Each output is a dot product of K = C·kh·kw terms: γ_{K+1}·Σ|x·w|, and with the bias added,
    /// γ_{K+2}·(Σ|x·w| + |b|). The magnitudes are the reference run on |x| and |w|.</summary>
    [TestCaseSource(nameof(ConvolutionCases))]
    public void ConvolutionForwardWithAndWithoutBias(NaiveReference.ConvCase s)
    {
        var x = Uniform(s.InputCount, 1);
        var w = Uniform(s.FilterCount, 2);
        var b = Uniform(s.K, 3);
        using var tx = On(x, s.N, s.C, s.H, s.W);
        using var tw = On(w, s.K, s.C, s.KH, s.KW);
        using var tb = On(b, s.K);
        long taps = (long)s.C * s.KH * s.KW;
        foreach (var withBias in new[] { false, true })
        {
            using var ty = Output(s.N, s.K, s.OH, s.OW);
            Backend.ConvolutionForward(tx, tw, withBias ? tb : null, ty, Geometry(s));
            var magnitude = NaiveReference.ConvForward(s, Abs(x), Abs(w), withBias ? Abs(b) : null);
            ParityAssert.Within(ty.ToArray(), NaiveReference.ConvForward(s, x, w, withBias ? b : null), Scaled(Gamma(taps + 2), magnitude),
                $"{s} forward{(withBias ? " + bias" : "")}");
        }
    }

    /// <summary>dx sums K·kh·kw terms at most, dw sums N·OH·OW terms, db sums N·OH·OW terms: each within γ of its
    /// length (plus one rounding) of the sum of the terms' magnitudes.</summary>
    [TestCaseSource(nameof(ConvolutionCases))]
    public void ConvolutionBackwardDataFilterAndBias(NaiveReference.ConvCase s)
    {
        var x = Uniform(s.InputCount, 4);
        var w = Uniform(s.FilterCount, 5);
        var dy = Uniform(s.OutputCount, 6);
        using var tx = On(x, s.N, s.C, s.H, s.W);
        using var tw = On(w, s.K, s.C, s.KH, s.KW);
        using var tdy = On(dy, s.N, s.K, s.OH, s.OW);

        using var tdx = Output(s.N, s.C, s.H, s.W);
        Backend.ConvolutionBackwardData(tw, tdy, tdx, Geometry(s));
        ParityAssert.Within(tdx.ToArray(), NaiveReference.ConvBackwardData(s, w, dy),
            Scaled(Gamma((long)s.K * s.KH * s.KW + 1), NaiveReference.ConvBackwardData(s, Abs(w), Abs(dy))), $"{s} backward data");

        using var tdw = Output(s.K, s.C, s.KH, s.KW);
        Backend.ConvolutionBackwardFilter(tx, tdy, tdw, Geometry(s));
        long positions = (long)s.N * s.OH * s.OW;
        ParityAssert.Within(tdw.ToArray(), NaiveReference.ConvBackwardFilter(s, x, dy),
            Scaled(Gamma(positions + 1), NaiveReference.ConvBackwardFilter(s, Abs(x), Abs(dy))), $"{s} backward filter");

        using var tdb = Output(s.K);
        Backend.ConvolutionBackwardBias(tdy, tdb);
        ParityAssert.Within(tdb.ToArray(), NaiveReference.BiasGradient(dy, s.N, s.K, s.OH * s.OW),
            Scaled(Gamma(positions + 1), NaiveReference.BiasGradient(Abs(dy), s.N, s.K, s.OH * s.OW)), $"{s} backward bias");
    }

    // ---- element-wise, layout, reductions ------------------------------------------------------------------------

    /// <summary>One addition rounds once (u·|a + b|); α·x + β·y and scale·x + shift round at most twice (γ_2 of the
    /// terms' magnitudes, whether fused or not); a bias add once.</summary>
    [Test]
    public void AddAxpbyAffineAndBiasAdd()
    {
        int[] shape = [4, 6, 3, 5];
        var a = Uniform(Count(shape), 51);
        var b = Uniform(a.Length, 52);
        using var ta = On(a, shape);
        using var tb = On(b, shape);
        using var ty = Output(shape);
        Backend.Add(ta, tb, ty);
        var sum = a.Zip(b, (p, q) => (double)p + q).ToArray();
        ParityAssert.Within(ty.ToArray(), sum, Scaled(U, Abs(sum)), "add");

        using var acc = Output(shape);
        Backend.Axpby(2f, ta, 0f, acc);
        var scaled = a.Select(v => 2.0 * v).ToArray();
        ParityAssert.Within(acc.ToArray(), scaled, Scaled(U, Abs(scaled)), "axpby with β = 0 over NaN");
        var accValues = acc.ToArray();
        Backend.Axpby(-0.5f, tb, 0.75f, acc);
        ParityAssert.Within(acc.ToArray(), b.Zip(accValues, (p, q) => -0.5 * p + 0.75 * q).ToArray(),
            b.Zip(accValues, (p, q) => Gamma(2) * (Math.Abs(0.5 * p) + Math.Abs(0.75 * q))).ToArray(), "axpby");

        Backend.Affine(ta, 0.5f, 0.25f, ty);
        ParityAssert.Within(ty.ToArray(), a.Select(v => 0.5 * v + 0.25).ToArray(), a.Select(v => Gamma(2) * (Math.Abs(0.5 * v) + 0.25)).ToArray(), "affine");

        var bias = Uniform(6, 53);
        using var tbias = On(bias, 6);
        var y = ty.ToArray();
        Backend.BiasAdd(ty, tbias);
        var withBias = y.Select((v, i) => (double)v + bias[i / 15 % 6]).ToArray();
        ParityAssert.Within(ty.ToArray(), withBias, Scaled(U, Abs(withBias)), "bias add (N,C,H,W)");

        var fc = Uniform(24, 54);
        using var tfc = On(fc, 4, 6);
        Backend.BiasAdd(tfc, tbias);
        var fcBias = fc.Select((v, i) => (double)v + bias[i % 6]).ToArray();
        ParityAssert.Within(tfc.ToArray(), fcBias, Scaled(U, Abs(fcBias)), "bias add (N,C)");
    }

    /// <summary>Concatenation and splitting move values without arithmetic: exact.</summary>
    [TestCase(1)]
    [TestCase(3)]
    [TestCase(0)]
    public void ConcatAndSplit(int axis)
    {
        int[][] parts = axis switch
        {
            1 => [[3, 2, 4, 5], [3, 7, 4, 5]],
            3 => [[3, 2, 4, 1], [3, 2, 4, 6], [3, 2, 4, 2]],
            _ => [[1, 2, 3], [4, 2, 3]],
        };
        var total = (int[])parts[0].Clone();
        total[axis] = parts.Sum(p => p[axis]);
        var values = parts.Select((p, i) => Uniform(Count(p), 60 + i)).ToArray();
        var inputs = parts.Select((p, i) => On(values[i], p)).ToList();
        using var ty = Output(total);
        Backend.Concat(inputs, axis, ty);
        int outer = total.Take(axis).Aggregate(1, (x, y) => x * y);
        int inner = total.Skip(axis + 1).Aggregate(1, (x, y) => x * y);
        var expected = new float[Count(total)];
        int offset = 0;
        for (int p = 0; p < parts.Length; p++)
        {
            int block = parts[p][axis] * inner;
            for (int o = 0; o < outer; o++)
                Array.Copy(values[p], o * block, expected, o * total[axis] * inner + offset * inner, block);
            offset += parts[p][axis];
        }
        ParityAssert.Exact(ty.ToArray(), expected, "concat");
        var outputs = parts.Select(p => Output(p)).ToList();
        Backend.Split(ty, axis, outputs);
        for (int p = 0; p < parts.Length; p++) ParityAssert.Exact(outputs[p].ToArray(), values[p], $"split part {p}");
        foreach (var t in inputs.Concat(outputs)) t.Dispose();
    }

    /// <summary>A sum of L terms along the axis: γ_{L+1}·Σ|x|.</summary>
    [TestCase(0)]
    [TestCase(1)]
    [TestCase(2)]
    [TestCase(3)]
    public void SumAxis(int axis)
    {
        int[] dims = [5, 4, 3, 6];
        var x = Uniform(Count(dims), 70);
        var outShape = (int[])dims.Clone();
        outShape[axis] = 1;
        using var tx = On(x, dims);
        using var ty = Output(outShape);
        Backend.SumAxis(tx, axis, ty);
        ParityAssert.Within(ty.ToArray(), NaiveReference.SumAxis(x, dims, axis),
            Scaled(Gamma(dims[axis] + 1), NaiveReference.SumAxis(Abs(x), dims, axis)), $"sum over axis {axis}");
    }

    /// <summary>
    /// IBackend lets Sum accumulate in double or pairwise (<see cref="ErrorBound.DoubleOrPairwiseSum"/>). The mean
    /// absolute error is such a sum of |p − t| then a division (one more u); its gradient dLoss·sign(p − t)/n rounds
    /// once.
    /// </summary>
    [Test]
    public void SumOfAMillionElementsAndTheMeanAbsoluteErrorWithItsGradient()
    {
        const int n = 1000 * 1000;
        var x = Uniform(n, 71, 0f, 1f);
        using var tx = On(x, 1000, 1000);
        using var ts = Output(1);
        Backend.Sum(tx, ts);
        double sum = x.Sum(v => (double)v), magnitude = x.Sum(v => (double)Math.Abs(v));
        ParityAssert.Within(ts.ToArray(), [sum], [DoubleOrPairwiseSum(n, magnitude, sum)], "sum of 10^6");

        var p = Uniform(160, 72, 0f, 1f);
        var t = p.Select((v, i) => i % 3 == 0 ? v + 0.1f * ((i % 2) * 2 - 1) : v).ToArray(); // the rest tie: sign(0) = 0
        using var tp = On(p, 32, 5);
        using var tt = On(t, 32, 5);
        using var loss = Output(1);
        Backend.MeanAbsoluteError(tp, tt, loss);
        double mae = NaiveReference.MeanAbsoluteError(p, t);
        ParityAssert.Within(loss.ToArray(), [mae], [DoubleOrPairwiseSum(p.Length, mae * p.Length, mae * p.Length) / p.Length + U * mae], "mean absolute error");

        using var dLoss = On([0.7f], 1);
        using var dp = Output(32, 5);
        Backend.MeanAbsoluteErrorBackward(tp, tt, dLoss, dp);
        var gradient = p.Zip(t, (a, b) => 0.7f * (double)Math.Sign(a - b) / p.Length).ToArray();
        ParityAssert.Within(dp.ToArray(), gradient, Scaled(U, Abs(gradient)), "mean absolute error gradient");
    }

    // ---- optimizer updates ---------------------------------------------------------------------------------------

    /// <summary>
    /// One Adam step from the same state on every device. m' = m + (1−β1)(g − m) rounds at most 4 times (1 − β1,
    /// g − m, the product, the sum): γ_4·(|m| + |1−β1|·(|g| + |m|)); v' likewise with g² (5 roundings). The parameter
    /// step lr·m'/(√v' + ε) is computed from the device's own m' and v', so their errors carry into it (to first
    /// order: Δm'/den and |m'|·Δden/den², with Δ√v' ≤ min(Δv'/(2√v'), √Δv')), plus its own 4 roundings, plus the
    /// subtraction's.
    /// </summary>
    [Test]
    public void AdamUpdate()
    {
        const int n = 1000;
        const float lr = 2e-4f, beta1 = 0.5f, beta2 = 0.999f, eps = 1e-8f;
        var param = Uniform(n, 81);
        var grad = Uniform(n, 82);
        var m = Uniform(n, 83, -0.1f, 0.1f);
        var v = Uniform(n, 84, 0f, 0.01f);
        using var tp = On(param, n);
        using var tg = On(grad, n);
        using var tm = On(m, n);
        using var tv = On(v, n);
        Backend.AdamUpdate(tp, tg, tm, tv, lr, beta1, beta2, eps);

        double a1 = 1.0 - beta1, a2 = 1.0 - beta2;
        var mRef = new double[n]; var vRef = new double[n]; var pRef = new double[n];
        var mBound = new double[n]; var vBound = new double[n]; var pBound = new double[n];
        for (int i = 0; i < n; i++)
        {
            double g = grad[i];
            mRef[i] = m[i] + a1 * (g - m[i]);
            vRef[i] = v[i] + a2 * (g * g - v[i]);
            mBound[i] = Gamma(4) * (Math.Abs(m[i]) + a1 * (Math.Abs(g) + Math.Abs(m[i])));
            vBound[i] = Gamma(5) * (Math.Abs(v[i]) + a2 * (g * g + Math.Abs(v[i])));
            double root = Math.Sqrt(vRef[i]), den = root + eps, step = lr * mRef[i] / den;
            pRef[i] = param[i] - step;
            double rootError = Math.Min(vBound[i] / (2 * Math.Max(root, 1e-300)), Math.Sqrt(vBound[i])) + U * root;
            double denError = rootError + U * den;
            double stepError = lr * (mBound[i] / den + Math.Abs(mRef[i]) * denError / (den * (den - denError))) + Gamma(4) * Math.Abs(step);
            pBound[i] = stepError + U * (Math.Abs(pRef[i]) + stepError);
        }
        ParityAssert.Within(tm.ToArray(), mRef, mBound, "adam m");
        ParityAssert.Within(tv.ToArray(), vRef, vBound, "adam v");
        ParityAssert.Within(tp.ToArray(), pRef, pBound, "adam param");
    }

    /// <summary>velocity' = momentum·velocity − lr·g: two products and a difference, γ_2 of both terms; the parameter
    /// adds the device's own velocity' and rounds once more.</summary>
    [Test]
    public void SgdMomentumUpdate()
    {
        const int n = 1000;
        const float lr = 0.01f, momentum = 0.9f;
        var param = Uniform(n, 85);
        var grad = Uniform(n, 86);
        var velocity = Uniform(n, 87, -0.1f, 0.1f);
        using var tp = On(param, n);
        using var tg = On(grad, n);
        using var tv = On(velocity, n);
        Backend.SgdMomentumUpdate(tp, tg, tv, lr, momentum);
        var vRef = velocity.Zip(grad, (v, g) => (double)momentum * v - (double)lr * g).ToArray();
        var vBound = velocity.Zip(grad, (v, g) => Gamma(2) * (Math.Abs((double)momentum * v) + Math.Abs((double)lr * g))).ToArray();
        ParityAssert.Within(tv.ToArray(), vRef, vBound, "sgd velocity");
        var pRef = param.Select((p, i) => p + vRef[i]).ToArray();
        ParityAssert.Within(tp.ToArray(), pRef, pRef.Select((p, i) => vBound[i] + U * (Math.Abs(p) + vBound[i])).ToArray(), "sgd param");
    }

    // ---- pooling -------------------------------------------------------------------------------------------------

    public static IEnumerable<TestCaseData> PoolingCases()
    {
        yield return new TestCaseData(PoolingMode.Max, new NaiveReference.PoolCase(2, 3, 10, 9, 3, 3, 2, 2, 1, 1, true)).SetArgDisplayNames("max 3x3/2 cover-all (hangs over)");
        yield return new TestCaseData(PoolingMode.Max, new NaiveReference.PoolCase(2, 3, 9, 9, 3, 3, 2, 2, 1, 1, true)).SetArgDisplayNames("max 3x3/2 cover-all (tiles)");
        yield return new TestCaseData(PoolingMode.Max, new NaiveReference.PoolCase(2, 4, 1, 50, 1, 9, 1, 4, 0, 4, true)).SetArgDisplayNames("max 1x9/(1,4) cover-all");
        yield return new TestCaseData(PoolingMode.Max, new NaiveReference.PoolCase(1, 2, 7, 7, 2, 2, 2, 2, 0, 0, false)).SetArgDisplayNames("max 2x2/2 floor");
        yield return new TestCaseData(PoolingMode.AverageCountIncludePadding, new NaiveReference.PoolCase(3, 4, 5, 7, 5, 7, 1, 1, 0, 0, false)).SetArgDisplayNames("global average");
        yield return new TestCaseData(PoolingMode.AverageCountIncludePadding, new NaiveReference.PoolCase(2, 2, 8, 8, 3, 3, 2, 2, 1, 1, false)).SetArgDisplayNames("average 3x3/2 pad 1");
        yield return new TestCaseData(PoolingMode.AverageCountIncludePadding, new NaiveReference.PoolCase(2, 2, 8, 8, 3, 3, 2, 2, 1, 1, true)).SetArgDisplayNames("average 3x3/2 cover-all");
    }

    /// <summary>
    /// Max pooling copies values: exact, ties to the first cell in row-major window order (quantized inputs make
    /// ties common, as after a ReLU). Its gradient sums at most kh·kw window gradients per cell: γ_{kh·kw}·Σ|dy|.
    /// An average sums at most kh·kw cells and divides: γ_{kh·kw+2}·mean|x|; its gradient likewise.
    /// </summary>
    [TestCaseSource(nameof(PoolingCases))]
    public void PoolingForwardAndBackward(PoolingMode mode, NaiveReference.PoolCase s)
    {
        var geometry = new PoolingGeometry(s.KH, s.KW, s.SH, s.SW, s.PH, s.PW, s.CoverAll);
        var x = Uniform(s.N * s.C * s.H * s.W, 21, 0f, 4f).Select(v => Math.Max(MathF.Floor(v) - 1f, 0f)).ToArray();
        var dy = Uniform(s.N * s.C * s.OH * s.OW, 22);
        using var tx = On(x, s.N, s.C, s.H, s.W);
        using var ty = Output(s.N, s.C, s.OH, s.OW);
        Backend.PoolingForward(mode, geometry, tx, ty);
        using var tdy = On(dy, s.N, s.C, s.OH, s.OW);
        using var tdx = Output(s.N, s.C, s.H, s.W);
        long cells = (long)s.KH * s.KW;
        if (mode == PoolingMode.Max)
        {
            ParityAssert.Exact(ty.ToArray(), NaiveReference.MaxPoolForward(s, x).Select(v => (float)v).ToArray(), $"{s} max forward");
            Backend.PoolingBackward(mode, geometry, tx, ty, tdy, tdx);
            ParityAssert.Within(tdx.ToArray(), NaiveReference.MaxPoolBackward(s, x, dy),
                Scaled(Gamma(cells), NaiveReference.MaxPoolBackward(s, x, Abs(dy))), $"{s} max backward");
        }
        else
        {
            ParityAssert.Within(ty.ToArray(), NaiveReference.AveragePoolForward(s, x),
                Scaled(Gamma(cells + 2), NaiveReference.AveragePoolForward(s, Abs(x))), $"{s} average forward");
            Backend.PoolingBackward(mode, geometry, tx, ty, tdy, tdx);
            ParityAssert.Within(tdx.ToArray(), NaiveReference.AveragePoolBackward(s, dy),
                Scaled(Gamma(cells + 2), NaiveReference.AveragePoolBackward(s, Abs(dy))), $"{s} average backward");
        }
    }
}
