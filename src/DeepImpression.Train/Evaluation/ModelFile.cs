using DeepImpression.Core;
using DeepImpression.Core.Model;
using DeepImpression.Core.Serialization;
using DeepImpression.Core.Tensors;

namespace DeepImpression.Train.Evaluation;

/// <summary>Opens a checkpoint or imported weights as a ready network in evaluation mode.</summary>
public static class ModelFile
{
    /// <summary>
    /// Loads <paramref name="path"/>. Weights with NaN or infinite values (a run that diverged) are refused with one
    /// message unless <paramref name="allowNonFinite"/>: their predictions would be NaN, or worse, plausible numbers
    /// computed through a layer that had quietly broken.
    /// </summary>
    public static DeepImpressionNet Load(string path, Device device, bool allowNonFinite = false)
    {
        if (!File.Exists(path)) throw new InvalidInputException($"{path}: no such model file.");
        var net = new DeepImpressionNet(device);
        ModelWeights.Load(path, net);
        if (!allowNonFinite && FiniteWeights.Broken(net.NamedState()) is { Count: > 0 } broken)
            throw new InvalidInputException($"{path}: {FiniteWeights.Describe(broken)} hold NaN or infinite values (a run that diverged?); " +
                                            "refusing to predict with them (--allow-non-finite loads them anyway).");
        net.SetTraining(false);
        return net;
    }
}
