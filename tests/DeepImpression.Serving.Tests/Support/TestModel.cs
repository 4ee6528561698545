using DeepImpression.Core.Model;
using DeepImpression.Core.Serialization;
using DeepImpression.Core.Tensors;
using DeepImpression.Train.Evaluation;

namespace DeepImpression.Serving.Tests.Support;

/// <summary>
/// A randomly initialised network saved as a checkpoint: the scores mean nothing, but a server and a
/// <see cref="VideoPredictor"/> that load it must give the same ones for the same file. The fusion weights are
/// scaled down so that the scores land inside (0, 1), where every bit of the features still moves them, instead of
/// saturating the tanh at 0 or 1.
/// </summary>
internal static class TestModel
{
    private static readonly Lazy<string> Saved = new(() =>
    {
        string path = System.IO.Path.Combine(TestFolders.Fresh("model"), "random.npz");
        var net = new DeepImpressionNet(Device.Cpu, seed: 11);
        var weights = net.Fusion.W;
        weights.CopyFrom(weights.ToArray().Select(w => w * FusionScale).ToArray());
        Checkpoint.Save(path, net);
        return path;
    });

    private const float FusionScale = 0.0002f;

    private static readonly Lazy<VideoPredictor> Reference = new(() => new VideoPredictor(ModelFile.Load(Path, Device.Cpu)));

    /// <summary>The checkpoint file.</summary>
    public static string Path => Saved.Value;

    /// <summary>A predictor of its own on the same checkpoint, as <c>predict</c> would build it.</summary>
    public static VideoPredictor Predictor => Reference.Value;
}
