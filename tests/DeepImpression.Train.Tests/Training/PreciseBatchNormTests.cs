using DeepImpression.Core.Model;
using DeepImpression.Core.Tensors;
using DeepImpression.Train.Data.Cache;
using DeepImpression.Train.Data.Loading;
using DeepImpression.Train.Training;

namespace DeepImpression.Train.Tests.Training;

[TestFixture]
public class PreciseBatchNormTests
{
    private const double U = 1.0 / (1 << 24);

    private static double Gamma(int n) => n * U / (1 - n * U);

    private static (ClipCache Cache, TrainingLoader Loader) Loader()
    {
        var cache = ClipCache.Open(TinyTrainingCache.Directory);
        var options = TinyTrainingCache.Options("unused");
        var (train, _, _) = Trainer.Splits(cache, options);
        return (cache, new TrainingLoader(cache, train, new TrainingLoaderOptions
        {
            BatchSize = options.BatchSize, CropSize = options.CropSize, AudioSamples = options.AudioWindow, Seed = 5, Workers = 0,
        }));
    }

    /// <summary>
    /// The first batch norm of each stream reads conv1's output, which the test computes itself (the same float32
    /// convolution) and whose per-channel mean and unbiased variance it takes in float64 per batch, then averages. The
    /// recomputed statistics differ only by roundings: the kernel's float32 sums of d and d² (d = x − its shift) over
    /// one image's positions (γ_(inner+1) relative to Σ|d| and Σd², the variance also through the squared mean), one
    /// float32 store of (1 − decay)·statistic and one of the average (2u).
    /// </summary>
    [Test]
    public void The_statistics_are_the_average_of_the_batch_statistics_and_the_weights_stay()
    {
        var (cache, loader) = Loader();
        using var _ = cache;
        var net = new DeepImpressionNet(Device.Cpu, seed: 4);
        net.SetTraining(false);
        var weights = net.NamedParameters().Select(p => p.Tensor.ToArray()).ToArray();
        var batches = PreciseBatchNorm.Batches(loader, epoch: 0, examples: 6).ToList();
        Assert.That(batches, Has.Count.EqualTo(3));

        var expected = new[] { (net.Auditory, Mean: new double[32], Variance: new double[32], MeanBound: new double[32], VarianceBound: new double[32]),
                               (net.Visual, Mean: new double[32], Variance: new double[32], MeanBound: new double[32], VarianceBound: new double[32]) };
        foreach (var batch in batches)
        {
            using var scope = TensorScope.Begin();
            var inputs = new[]
            {
                Tensor.FromArray(batch.Audio, new Shape(batch.Count, 1, 1, batch.AudioSamples)),
                Tensor.FromArray(batch.Frames, new Shape(batch.Count, 3, batch.CropSize, batch.CropSize)),
            };
            for (int s = 0; s < 2; s++)
            {
                var y = expected[s].Item1.Conv1.Conv.Forward(inputs[s]);
                var values = y.ToArray();
                int channels = y.Dim(1), inner = y.Dim(2) * y.Dim(3), n = y.Dim(0) * inner;
                double g = Gamma(inner + 1);
                for (int c = 0; c < channels; c++)
                {
                    // The kernel's way: moments of d = x − shift (the channel's first value), summed in float32 per image.
                    double shift = values[c * inner], sum = 0, squares = 0, magnitude = 0;
                    for (int b = 0; b < y.Dim(0); b++)
                        for (int i = 0; i < inner; i++)
                        {
                            double d = values[(b * channels + c) * inner + i] - shift;
                            sum += d;
                            squares += d * d;
                            magnitude += Math.Abs(d);
                        }
                    double shifted = sum / n, mean = shift + shifted, unbiased = (squares / n - shifted * shifted) * n / (n - 1);
                    expected[s].Mean[c] += mean / batches.Count;
                    expected[s].Variance[c] += unbiased / batches.Count;
                    expected[s].MeanBound[c] += (g * magnitude / n + 2 * U * Math.Abs(mean)) / batches.Count;
                    expected[s].VarianceBound[c] += ((g * squares / n + 2 * Math.Abs(shifted) * g * magnitude / n) * n / (n - 1) + 2 * U * unbiased) / batches.Count;
                }
            }
        }
        int examples = PreciseBatchNorm.Recompute(net, batches);
        Assert.That(examples, Is.EqualTo(6));
        foreach (var (stream, mean, variance, meanBound, varianceBound) in expected)
        {
            var gotMean = stream.Conv1.Bn.AverageMean.ToArray();
            var gotVariance = stream.Conv1.Bn.AverageVariance.ToArray();
            for (int c = 0; c < mean.Length; c++)
            {
                Assert.That(gotMean[c], Is.EqualTo(mean[c]).Within(meanBound[c]), $"mean of channel {c}");
                Assert.That(gotVariance[c], Is.EqualTo(variance[c]).Within(varianceBound[c]), $"variance of channel {c}");
            }
        }
        Assert.That(net.IsTraining, Is.False, "the mode is restored");
        var after = net.NamedParameters().Select(p => p.Tensor.ToArray()).ToArray();
        for (int i = 0; i < weights.Length; i++) Assert.That(after[i], Is.EqualTo(weights[i]), "the weights are not touched");
    }

    [Test]
    public void A_pass_stopped_midway_leaves_every_statistic_as_it_was()
    {
        var (cache, loader) = Loader();
        using var _ = cache;
        var net = new DeepImpressionNet(Device.Cpu, seed: 4);
        var before = net.NamedPersistents().Select(p => p.Tensor.ToArray()).ToArray();
        using var stop = new CancellationTokenSource();

        IEnumerable<TrainingBatch> StopAfterOne()
        {
            foreach (var batch in PreciseBatchNorm.Batches(loader, 0, 6))
            {
                yield return batch;
                stop.Cancel(); // after the first batch has gone through the network
            }
        }

        Assert.Throws<OperationCanceledException>(() => PreciseBatchNorm.Recompute(net, StopAfterOne(), stop.Token));
        var after = net.NamedPersistents().Select(p => p.Tensor.ToArray()).ToArray();
        for (int i = 0; i < before.Length; i++) Assert.That(after[i], Is.EqualTo(before[i]));
        Assert.That(net.IsTraining, Is.True, "the mode is restored");
    }
}
