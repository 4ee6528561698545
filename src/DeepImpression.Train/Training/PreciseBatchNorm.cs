using DeepImpression.Core.Autograd;
using DeepImpression.Core.Layers;
using DeepImpression.Core.Model;
using DeepImpression.Core.Tensors;
using DeepImpression.Train.Data.Loading;

namespace DeepImpression.Train.Training;

/// <summary>
/// Precise batch-norm statistics for evaluation (as pycls' precise-BN): with the weights fixed, run training-mode
/// forward passes over a few hundred training examples and set every batch norm's running mean and variance to the
/// average of the batch means and (unbiased) batch variances those passes saw. The running averages that training
/// keeps lag the weights (each is a 0.9-decay average over past steps, taken while the weights moved), which early
/// in training makes validation scores swing below the mean predictor.
/// </summary>
internal static class PreciseBatchNorm
{
    /// <summary>Every batch norm of the network, in a fixed order.</summary>
    public static IReadOnlyList<BatchNorm2d> Layers(DeepImpressionNet net)
    {
        var layers = new List<BatchNorm2d>();
        foreach (var stream in new[] { net.Auditory, net.Visual })
        {
            layers.Add(stream.Conv1.Bn);
            foreach (var block in stream.Blocks)
            {
                layers.Add(block.Bn2a);
                layers.Add(block.Bn2b);
                if (block.Bn1 is { } shortcut) layers.Add(shortcut);
            }
        }
        return layers;
    }

    /// <summary>
    /// Recomputes the running statistics of <paramref name="net"/> from <paramref name="batches"/> (each batch's
    /// examples are normalised together, as in training). The weights are not touched; the network's mode is restored.
    /// If it is cancelled or fails midway, the running statistics are left exactly as they were.
    /// </summary>
    /// <returns>The number of examples seen.</returns>
    public static int Recompute(DeepImpressionNet net, IEnumerable<TrainingBatch> batches, CancellationToken cancellation = default)
    {
        var layers = Layers(net);
        var saved = layers.Select(l => (Mean: l.AverageMean.ToArray(), Variance: l.AverageVariance.ToArray())).ToArray();
        var meanSums = layers.Select(l => new double[l.Channels]).ToArray();
        var varianceSums = layers.Select(l => new double[l.Channels]).ToArray();
        bool wasTraining = net.IsTraining;
        int batchCount = 0, examples = 0;
        bool done = false;
        try
        {
            net.SetTraining(true);
            foreach (var batch in batches)
            {
                using (batch)
                {
                    cancellation.ThrowIfCancellationRequested();
                    // From zero, one training-mode pass leaves (1 − decay)·(batch statistic) in each running average.
                    foreach (var layer in layers)
                    {
                        layer.AverageMean.CopyFrom(new float[layer.Channels]);
                        layer.AverageVariance.CopyFrom(new float[layer.Channels]);
                    }
                    using (Backprop.NoGrad())
                    using (TensorScope.Begin())
                    {
                        var device = net.Device;
                        var audio = Tensor.FromArray(batch.Audio, new Shape(batch.Count, 1, 1, batch.AudioSamples), device);
                        var frames = Tensor.FromArray(batch.Frames, new Shape(batch.Count, 3, batch.CropSize, batch.CropSize), device);
                        net.Forward(audio, frames);
                    }
                    for (int i = 0; i < layers.Count; i++)
                    {
                        double weight = 1 - layers[i].Decay;
                        var mean = layers[i].AverageMean.ToArray();
                        var variance = layers[i].AverageVariance.ToArray();
                        for (int c = 0; c < mean.Length; c++)
                        {
                            meanSums[i][c] += mean[c] / weight;
                            varianceSums[i][c] += variance[c] / weight;
                        }
                    }
                    batchCount++;
                    examples += batch.Count;
                }
            }
            if (batchCount == 0) throw new ArgumentException("Precise batch-norm statistics need at least one batch.", nameof(batches));
            for (int i = 0; i < layers.Count; i++)
            {
                layers[i].AverageMean.CopyFrom(meanSums[i].Select(s => (float)(s / batchCount)).ToArray());
                layers[i].AverageVariance.CopyFrom(varianceSums[i].Select(s => (float)(s / batchCount)).ToArray());
            }
            done = true;
            return examples;
        }
        finally
        {
            if (!done)
                for (int i = 0; i < layers.Count; i++)
                {
                    layers[i].AverageMean.CopyFrom(saved[i].Mean);
                    layers[i].AverageVariance.CopyFrom(saved[i].Variance);
                }
            net.SetTraining(wasTraining);
        }
    }

    /// <summary>
    /// The batches of a precise-BN pass for training epoch <paramref name="epoch"/>: enough batches of
    /// <paramref name="loader"/> for <paramref name="examples"/> examples, drawn as training draws them (random windows,
    /// crops and flips). Give it a loader of its own seed, so that these draws never repeat the training draws.
    /// </summary>
    public static IEnumerable<TrainingBatch> Batches(TrainingLoader loader, int epoch, int examples)
    {
        int perEpoch = loader.BatchesPerEpoch;
        int count = Math.Max(1, (examples + loader.Options.BatchSize - 1) / loader.Options.BatchSize);
        // Each training epoch gets its own range of the loader's epochs, in case one epoch holds fewer batches than asked.
        int epochsPerPass = (count + perEpoch - 1) / perEpoch;
        for (int i = 0; i < count; i++) yield return loader.LoadBatch(checked(epoch * epochsPerPass + i / perEpoch), i % perEpoch);
    }
}
