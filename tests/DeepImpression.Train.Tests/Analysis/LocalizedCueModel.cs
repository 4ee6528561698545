using DeepImpression.Core.Model;
using DeepImpression.Core.Optim;
using DeepImpression.Core.Tensors;
using DeepImpression.Train.Analysis.Occlusion;
using DeepImpression.Train.Data.Decoding;
using DeepImpression.Train.Synthetic;
using DeepImpression.Train.Training;

namespace DeepImpression.Train.Tests.Analysis;

/// <summary>
/// A network trained briefly on the localized-cue synthetic set (Conscientiousness seen only in a forehead badge,
/// Extraversion heard only in the middle third of each clip; <see cref="SyntheticLocalizedCues"/>), made once per
/// test run: clips of 3.5 s at 128 x 72, whole frames and 1.25-s audio windows (every such window overlaps the middle
/// third), Adam at 0.001, 200 steps of 8 examples (about two minutes on two cores).
/// </summary>
internal static class LocalizedCueModel
{
    public static readonly FrameSize Size = new(128, 72);
    public const double Seconds = 3.5;
    public const int Clips = 48;
    public const int FramesPerClip = 6;
    public const int AudioWindow = 20_000;

    private static readonly Lazy<Trained> Shared = new(Train);

    public static Trained Model => Shared.Value;

    public sealed record Trained(DeepImpressionNet Net, string Root, IReadOnlyList<SyntheticClipSpec> Clips, IReadOnlyList<float> Losses)
    {
        public string PathOf(SyntheticClipSpec clip) => SyntheticDataSet.PathOf(Root, clip);
    }

    /// <summary>Removes the set at the end of the run, if a test made it.</summary>
    public static void DeleteIfMade()
    {
        if (Shared.IsValueCreated && Directory.Exists(Shared.Value.Root)) Directory.Delete(Shared.Value.Root, recursive: true);
    }

    public const int Steps = 200;
    public const double LearningRate = 0.001;

    private static Trained Train()
    {
        string root = Path.Combine(Path.GetTempPath(), "deepimpression-tests", $"localized-cues-{Environment.ProcessId}");
        if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
        var report = SyntheticDataSet.Generate(new SyntheticDataSetOptions
        {
            OutputDirectory = root, Clips = Clips, Seed = 11, Seconds = Seconds, FrameSize = Size, Variant = SyntheticVariant.LocalizedCues, Jobs = 2,
        });
        var decoder = new ClipDecoder(Size);
        var training = report.Clips.Where(c => c.Split == SyntheticPlan.Train)
            .Select(c => (Clip: c, Decoded: decoder.Decode(SyntheticDataSet.PathOf(root, c), FramesPerClip)))
            .ToArray();

        var net = new DeepImpressionNet(Device.Cpu, seed: 1);
        var step = new TrainingStep(net, new Adam(net.NamedParameters(), alpha: LearningRate));
        var random = new Random(5);
        const int batch = 8;
        int plane = 3 * Size.Height * Size.Width;
        var audio = new float[batch * AudioWindow];
        var frames = new float[batch * plane];
        var targets = new float[batch * 5];
        var losses = new List<float>();
        for (int s = 0; s < Steps; s++)
        {
            for (int b = 0; b < batch; b++)
            {
                var (clip, decoded) = training[random.Next(training.Length)];
                int start = random.Next(decoded.Audio.Length - AudioWindow + 1);
                decoded.Audio.AsSpan(start, AudioWindow).CopyTo(audio.AsSpan(b * AudioWindow));
                var frame = decoded.Frame(random.Next(decoded.FrameCount));
                for (int i = 0; i < plane; i++) frames[b * plane + i] = frame[i];
                clip.Labels.CopyTo(targets.AsSpan(b * 5, 5));
            }
            losses.Add(step.Run(batch, audio, frames, Size.Height, Size.Width, targets));
        }
        net.SetTraining(false);
        return new Trained(net, root, report.Clips, losses);
    }
}
