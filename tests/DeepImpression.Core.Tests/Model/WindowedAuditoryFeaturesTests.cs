using DeepImpression.Core.Autograd;
using DeepImpression.Core.Layers;
using DeepImpression.Core.Model;
using DeepImpression.Core.Ops;
using DeepImpression.Core.Tensors;

namespace DeepImpression.Core.Tests.Model;

/// <summary>
/// The auditory stream in overlapping windows against the whole-waveform pass and against an independent float64
/// reference of the stream that also carries the spread of any float32 evaluation's rounding error (propagated layer
/// by layer, below). Both float32 maps must lie within that bound of the reference at every position, at the
/// windows' seams too, so they are within twice the bound of each other. (On the CPU backend they are identical: each
/// output sums its products in an order that does not depend on the input's length.)
/// </summary>
[TestFixture]
public class WindowedAuditoryFeaturesTests
{
    /// <summary>Unit roundoff of float32.</summary>
    private const double U = 1.0 / (1 << 24);

    /// <summary>γ_n = n·u / (1 − n·u): the relative bound of a float32 sum of n terms in any order (Higham, 3.1).</summary>
    private static double Gamma(int n) => n * U / (1 - n * U);

    [Test]
    public void The_receptive_field_of_the_auditory_map_is_what_the_geometry_gives()
    {
        var field = ReceptiveField.AlongWidth(Net().Auditory);
        // conv1 k49 s4, pool k9 s4, then per stage 4 convolutions of width 9 with the stage's stride folded in once.
        Assert.That(field.Stride, Is.EqualTo(4 * 4 * 4 * 4 * 4));
        Assert.That(field.Size, Is.EqualTo(35_537));
        Assert.That(field.Padding, Is.EqualTo((field.Size - 1) / 2));
    }

    [TestCase(1)]
    [TestCase(5_000)]
    [TestCase(50_176)]
    [TestCase(4 * 1024 * 20)]      // a multiple of the total stride
    [TestCase(4 * 1024 * 20 + 1)]
    [TestCase(4 * 1024 * 20 - 16)] // pool1's input a multiple of 4: cover-all adds a position
    [TestCase(240_000)]
    public void The_stitched_map_has_every_position_of_the_whole_map_once(int samples)
    {
        var net = Net();
        var waveform = Waveform(samples, seed: 2);
        int whole = WholeMap(net, waveform).Width;
        foreach (int positions in new[] { 1, 3, WindowedAuditoryFeatures.DefaultPositionsPerWindow })
        {
            var seen = new List<(long First, int Count)>();
            var windows = new WindowedAuditoryFeatures(net.Auditory, positions) { MapComputed = (first, n, _) => seen.Add((first, n)) };
            Feed(windows, waveform, piece: 7_777);
            windows.Complete();
            Assert.That(windows.MapLength, Is.EqualTo(whole), $"{samples} samples, {positions} positions per window");
            long next = 0;
            foreach (var (first, n) in seen)
            {
                Assert.That(first, Is.EqualTo(next), "pieces follow each other without gap or overlap");
                next += n;
            }
            Assert.That(next, Is.EqualTo(whole));
        }
    }

    [Test]
    public void One_window_is_the_whole_waveform_pass()
    {
        var net = Net();
        var waveform = Waveform(240_000, seed: 3);
        float[]? stitched = null;
        var windows = new WindowedAuditoryFeatures(net.Auditory) { MapComputed = (_, _, piece) => stitched = piece };
        Feed(windows, waveform, piece: 16_000);
        var features = windows.Complete();
        Assert.That(windows.Windows, Is.EqualTo(1), "a 15-s clip fits one default window");
        var (map, _, width) = WholeMap(net, waveform);
        Assert.That(stitched, Is.EqualTo(map), "one window runs the very computation of the whole pass");
        // The features differ only by the pooling: a float64 sum rounded once here (u), a float32 sum of `width`
        // nonnegative terms (after the ReLU) then a division in the whole pass (γ_width + 2u), relative to the mean.
        var pooled = GlobalAverage(net, waveform);
        for (int c = 0; c < features.Length; c++)
        {
            double mean = Enumerable.Range(0, width).Average(i => (double)map[c * width + i]);
            Assert.That(Math.Abs(features[c] - pooled[c]), Is.LessThanOrEqualTo((Gamma(width) + 3 * U) * mean), $"channel {c}");
        }
    }

    /// <summary>
    /// Windows of one position over a 3-s waveform (about a dozen seams), fed in odd pieces, against the float64
    /// reference with its error bound, position by position.
    /// </summary>
    [Test, Category("Slow")]
    public void Windowed_and_whole_maps_lie_within_the_float32_error_bound_of_the_float64_reference_at_every_seam()
    {
        var net = Net();
        const int samples = 48_000;
        var waveform = Waveform(samples, seed: 4);
        var reference = AuditoryReference.FeatureMap(net.Auditory, waveform);
        int width = reference.Width, channels = reference.Channels;

        var stitched = new float[channels * width];
        var seams = new List<long>();
        var windows = new WindowedAuditoryFeatures(net.Auditory, positionsPerWindow: 1)
        {
            MapComputed = (first, n, piece) =>
            {
                seams.Add(first);
                for (int c = 0; c < channels; c++) piece.AsSpan(c * n, n).CopyTo(stitched.AsSpan(c * width + (int)first));
            },
        };
        Feed(windows, waveform, piece: 1_001);
        var features = windows.Complete();
        Assert.That(windows.Windows, Is.GreaterThanOrEqualTo(10), "the test must cross many seams");
        Assert.That(windows.MapLength, Is.EqualTo(width));

        var (whole, _, wholeWidth) = WholeMap(net, waveform);
        Assert.That(wholeWidth, Is.EqualTo(width));
        double worstBound = 0, worstValue = 0, worstStitched = 0, worstWhole = 0;
        for (int c = 0; c < channels; c++)
        {
            for (int i = 0; i < width; i++)
            {
                int k = c * width + i;
                double v = reference.Value[k], bound = Sigmas * reference.Sigma[k] + ReferenceRounding(v);
                string where = $"channel {c}, position {i}{(seams.Contains(i) ? " (first of a window)" : seams.Contains(i + 1) ? " (last of a window)" : "")}";
                Assert.That(Math.Abs(stitched[k] - v), Is.LessThanOrEqualTo(bound), "windowed, " + where);
                Assert.That(Math.Abs(whole[k] - v), Is.LessThanOrEqualTo(bound), "whole, " + where);
                worstBound = Math.Max(worstBound, bound);
                worstValue = Math.Max(worstValue, Math.Abs(v));
                worstStitched = Math.Max(worstStitched, Math.Abs(stitched[k] - v));
                worstWhole = Math.Max(worstWhole, Math.Abs(whole[k] - v));
            }
        }
        double seamDifference = stitched.Zip(whole, (a, b) => Math.Abs(a - b)).Max();
        TestContext.Out.WriteLine($"largest difference windowed - whole: {seamDifference:G4}");
        TestContext.Out.WriteLine($"{windows.Windows} windows, {width} positions: largest |value| {worstValue:G4}, bound {worstBound:G4}, " +
                                  $"windowed error {worstStitched:G4}, whole-pass error {worstWhole:G4}");
        // The bound must be tight enough to catch a seam off by one position: neighbouring positions differ by far more.
        double step = 0;
        for (int c = 0; c < channels; c++)
            for (int i = 0; i + 1 < width; i++) step = Math.Max(step, Math.Abs(reference.Value[c * width + i + 1] - reference.Value[c * width + i]));
        Assert.That(worstBound, Is.LessThan(step / 100), "the bound is small against the map's own variation");

        // Features: the stitched map's float64 mean rounded once, against the reference's mean of the bounds.
        for (int c = 0; c < channels; c++)
        {
            double mean = 0, meanBound = 0;
            for (int i = 0; i < width; i++)
            {
                mean += reference.Value[c * width + i] / width;
                meanBound += (Sigmas * reference.Sigma[c * width + i] + ReferenceRounding(reference.Value[c * width + i])) / width;
            }
            Assert.That(Math.Abs(features[c] - mean), Is.LessThanOrEqualTo(meanBound + U * Math.Abs(mean) + width * 1e-15), $"feature {c}");
        }
    }

    /// <summary>Standard deviations of the modelled float32 error allowed (a chance below 10^-8 per value for a normal error).</summary>
    private const double Sigmas = 6;

    /// <summary>The float64 reference's own rounding: a few thousand operations per value at 2^-53 each.</summary>
    private static double ReferenceRounding(double value) => 1e-12 * (1 + Math.Abs(value));

    private static DeepImpressionNet Net()
    {
        var net = new DeepImpressionNet(Device.Cpu, seed: 21);
        // Running statistics and affine parameters as a trained network has them, not the identity of a fresh one.
        var rng = new Rng(22);
        foreach (var (path, t) in net.NamedState())
        {
            var values = t.ToArray();
            for (int i = 0; i < values.Length; i++)
            {
                values[i] = path.Split('/')[^1] switch
                {
                    "gamma" => (float)(0.5 + rng.NextDouble()),
                    "beta" => (float)(0.1 * rng.NextNormal()),
                    "avg_mean" => (float)(0.2 * rng.NextNormal()),
                    "avg_var" => (float)(0.5 + 1.5 * rng.NextDouble()),
                    "b" => (float)(0.05 * rng.NextNormal()),
                    _ => values[i],
                };
            }
            t.CopyFrom(values);
        }
        net.SetTraining(false);
        return net;
    }

    /// <summary>A voice-like waveform: a few harmonics with a slow envelope, plus noise, in [-1, 1].</summary>
    private static float[] Waveform(int samples, ulong seed)
    {
        var rng = new Rng(seed);
        var w = new float[samples];
        for (int i = 0; i < samples; i++)
        {
            double t = i / 16_000.0;
            double tone = 0.4 * Math.Sin(2 * Math.PI * 180 * t) + 0.2 * Math.Sin(2 * Math.PI * 360 * t + 1) + 0.1 * Math.Sin(2 * Math.PI * 540 * t);
            w[i] = (float)Math.Clamp(tone * (0.6 + 0.4 * Math.Sin(2 * Math.PI * 3 * t)) + 0.1 * (rng.NextDouble() * 2 - 1), -1, 1);
        }
        return w;
    }

    private static void Feed(WindowedAuditoryFeatures windows, float[] waveform, int piece)
    {
        for (int start = 0; start < waveform.Length; start += piece)
            windows.Add(waveform.AsSpan(start, Math.Min(piece, waveform.Length - start)));
    }

    private static (float[] Map, int Channels, int Width) WholeMap(DeepImpressionNet net, float[] waveform)
    {
        using var noGrad = Backprop.NoGrad();
        using var scope = TensorScope.Begin();
        var map = net.Auditory.FeatureMap(Tensor.FromArray(waveform, new Shape(1, 1, 1, waveform.Length), Device.Cpu));
        return (map.ToArray(), map.Dim(1), map.Dim(3));
    }

    private static float[] GlobalAverage(DeepImpressionNet net, float[] waveform)
    {
        using var noGrad = Backprop.NoGrad();
        using var scope = TensorScope.Begin();
        return net.Auditory.Forward(Tensor.FromArray(waveform, new Shape(1, 1, 1, waveform.Length), Device.Cpu)).ToArray();
    }

    /// <summary>
    /// The auditory stream in float64, written from its definition (every map is channels x width; the height is 1),
    /// with, beside each value v, the standard deviation σ of the error v̂ − v of a float32 evaluation under the
    /// standard probabilistic model of rounding (Higham and Mary, SIAM J. Sci. Comput. 41, 2019): every rounding
    /// multiplies by 1 + δ with δ independent, mean zero, |δ| ≤ u, so of variance at most u²/3. Propagated layer by
    /// layer (first order in u):
    /// <list type="bullet">
    /// <item>convolution then batch norm, z = b + Σ w·x, y = s·z + t with s = γ/√(var + eps), t = β − mean·s: the
    /// input's errors pass through the weights, σ² += s²·Σ w²·σ_x²; the n = C·k + 1 roundings of the sum, each of a
    /// partial sum no larger than A = |b| + Σ|w|·|x|, and at most 4 more for the scale and shift (rounded to float32
    /// and applied, or folded into the weights and bias) add (n + 4)·u²·(|s|·A + |t|)²/3;</item>
    /// <item>ReLU and max pooling are exact and 1-Lipschitz: σ passes through (the largest σ of the window);</item>
    /// <item>the residual add: σ² = σ_a² + σ_b² + u²·(a + b)²/3.</item>
    /// </list>
    /// A worst-case bound (absolute values all the way) is valid but useless here: it multiplies by Σ|s·w| at every
    /// layer and ends above 10^18. The float32 results must lie within <see cref="Sigmas"/> standard deviations.
    /// </summary>
    private static class AuditoryReference
    {
        public sealed record Map(double[] Value, double[] Sigma, int Channels, int Width);

        public static Map FeatureMap(ResidualStream stream, float[] waveform)
        {
            var h = new Map(waveform.Select(v => (double)v).ToArray(), new double[waveform.Length], 1, waveform.Length);
            h = Relu(ConvBn(h, stream.Conv1.Conv, stream.Conv1.Bn));
            h = MaxPool(h, stream.Geometry.Pool1.KernelW, stream.Geometry.Pool1.StrideW, stream.Geometry.Pool1.PadW);
            foreach (var block in stream.Blocks)
            {
                var main = Relu(ConvBn(h, block.Branch2a, block.Bn2a));
                main = ConvBn(main, block.Branch2b, block.Bn2b);
                var shortcut = block.Branch1 is null ? h : ConvBn(h, block.Branch1, block.Bn1!);
                h = Relu(Add(main, shortcut));
            }
            return h;
        }

        private static Map ConvBn(Map x, Conv2d conv, BatchNorm2d bn)
        {
            int k = conv.Kernel.W, stride = conv.Geometry.StrideW, pad = conv.Geometry.PadW, cin = x.Channels, cout = conv.OutChannels;
            int width = (x.Width + 2 * pad - k) / stride + 1;
            var w = conv.W.ToArray();
            var b = conv.B.ToArray();
            var (gamma, beta, mean, variance) = (bn.Gamma.ToArray(), bn.Beta.ToArray(), bn.AverageMean.ToArray(), bn.AverageVariance.ToArray());
            var value = new double[cout * width];
            var sigma = new double[cout * width];
            int roundings = cin * k + 1 + 4;
            for (int o = 0; o < cout; o++)
            {
                double s = gamma[o] / Math.Sqrt(variance[o] + bn.Epsilon), t = beta[o] - mean[o] * s;
                for (int p = 0; p < width; p++)
                {
                    double z = b[o], magnitude = Math.Abs(b[o]), propagated = 0;
                    int origin = p * stride - pad;
                    for (int c = 0; c < cin; c++)
                    {
                        int row = c * x.Width, filter = (o * cin + c) * k;
                        for (int j = Math.Max(0, -origin); j < k && origin + j < x.Width; j++)
                        {
                            double wj = w[filter + j], xv = x.Value[row + origin + j], xs = x.Sigma[row + origin + j];
                            z += wj * xv;
                            magnitude += Math.Abs(wj * xv);
                            propagated += wj * wj * xs * xs;
                        }
                    }
                    double local = Math.Abs(s) * magnitude + Math.Abs(t);
                    value[o * width + p] = s * z + t;
                    sigma[o * width + p] = Math.Sqrt(s * s * propagated + roundings * U * U * local * local / 3);
                }
            }
            return new Map(value, sigma, cout, width);
        }

        private static Map Relu(Map x) => x with { Value = x.Value.Select(v => Math.Max(v, 0)).ToArray() };

        private static Map Add(Map a, Map b)
        {
            Assert.That((b.Channels, b.Width), Is.EqualTo((a.Channels, a.Width)), "residual shapes");
            var value = new double[a.Value.Length];
            var sigma = new double[a.Value.Length];
            for (int i = 0; i < value.Length; i++)
            {
                value[i] = a.Value[i] + b.Value[i];
                sigma[i] = Math.Sqrt(a.Sigma[i] * a.Sigma[i] + b.Sigma[i] * b.Sigma[i] + U * U * value[i] * value[i] / 3);
            }
            return new Map(value, sigma, a.Channels, a.Width);
        }

        /// <summary>Chainer's cover-all max pooling: the output size rounds up; cells outside the input never win.</summary>
        private static Map MaxPool(Map x, int k, int stride, int pad)
        {
            int width = (x.Width + 2 * pad - k + stride - 1) / stride + 1;
            var value = new double[x.Channels * width];
            var sigma = new double[x.Channels * width];
            for (int c = 0; c < x.Channels; c++)
                for (int p = 0; p < width; p++)
                {
                    double best = double.NegativeInfinity, e = 0;
                    for (int j = 0; j < k; j++)
                    {
                        int i = p * stride - pad + j;
                        if (i < 0 || i >= x.Width) continue;
                        best = Math.Max(best, x.Value[c * x.Width + i]);
                        e = Math.Max(e, x.Sigma[c * x.Width + i]);
                    }
                    value[c * width + p] = best;
                    sigma[c * width + p] = e;
                }
            return new Map(value, sigma, x.Channels, width);
        }
    }
}
