using DeepImpression.Core;
using DeepImpression.Core.Model;
using DeepImpression.Core.Serialization;
using DeepImpression.Core.Tensors;

namespace DeepImpression.Train.Evaluation;

/// <summary>Opens a checkpoint or imported weights as a ready network in evaluation mode.</summary>
public static class ModelFile
{
    public static DeepImpressionNet Load(string path, Device device)
    {
        if (!File.Exists(path)) throw new InvalidInputException($"{path}: no such model file.");
        var net = new DeepImpressionNet(device);
        ModelWeights.Load(path, net);
        net.SetTraining(false);
        return net;
    }
}
