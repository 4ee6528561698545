using System.CommandLine;
using DeepImpression.Core.Model;
using DeepImpression.Core.Tensors;
using Spectre.Console;

namespace DeepImpression.Train.Commands;

/// <summary><c>deepimpression summary</c>: every layer of the network with shapes, parameter counts and FLOPs.</summary>
internal static class SummaryCommand
{
    public const int TestAudioSamples = 240_000;

    public static Command Create()
    {
        var command = new Command("summary", "Print every layer of the Deep Impression network: output shapes for training- and " +
                                             "test-size inputs, parameter counts, and forward FLOPs per training example.");
        command.SetAction(_ =>
        {
            Write(ConsoleOutput.Create());
            return 0;
        });
        return command;
    }

    public static void Write(IAnsiConsole console)
    {
        var net = new DeepImpressionNet(Device.Cpu);
        var train = net.Describe(1, DeepImpressionNet.TrainingAudioSamples, DeepImpressionNet.TrainingFrameSize, DeepImpressionNet.TrainingFrameSize);
        var test = net.Describe(1, TestAudioSamples, DeepImpressionNet.TestFrameHeight, DeepImpressionNet.TestFrameWidth);

        var table = new Table().Border(TableBorder.Simple)
            .AddColumn("layer").AddColumn("operation")
            .AddColumn(new TableColumn("output, training input").RightAligned())
            .AddColumn(new TableColumn("output, test input").RightAligned())
            .AddColumn(new TableColumn("parameters").RightAligned())
            .AddColumn(new TableColumn("multiply-adds (train)").RightAligned());
        for (int i = 0; i < train.Count; i++)
            table.AddRow(Markup.Escape(train[i].Path), Markup.Escape(train[i].Operation), train[i].Output.ToString(), test[i].Output.ToString(),
                train[i].Parameters.ToString("N0"), train[i].MultiplyAdds.ToString("N0"));
        console.Write(table);

        long aud = net.Auditory.ParameterCount, vis = net.Visual.ParameterCount, fc = net.Fusion.ParameterCount;
        long macs = train.Sum(r => r.MultiplyAdds);
        long audMacs = train.Where(r => r.Path.StartsWith("aud/", StringComparison.Ordinal)).Sum(r => r.MultiplyAdds);
        long visMacs = train.Where(r => r.Path.StartsWith("vis/", StringComparison.Ordinal)).Sum(r => r.MultiplyAdds);
        long testMacsAudio = test.Where(r => r.Path.StartsWith("aud/", StringComparison.Ordinal)).Sum(r => r.MultiplyAdds);
        long testMacsFrame = test.Where(r => r.Path.StartsWith("vis/", StringComparison.Ordinal)).Sum(r => r.MultiplyAdds);
        long stats = net.NamedPersistents().Sum(p => (long)p.Tensor.Count);
        console.WriteLine($"trainable parameters: {aud + vis + fc:N0} (auditory {aud:N0}, visual {vis:N0}, fusion {fc:N0}); " +
                          $"batch-norm running statistics: {stats:N0}");
        console.WriteLine($"forward per training example (audio {DeepImpressionNet.TrainingAudioSamples:N0} samples, frame 224x224): " +
                          $"{macs:N0} multiply-adds = {2.0 * macs / 1e9:F3} GFLOP (auditory {audMacs:N0}, visual {visMacs:N0}, fusion {macs - audMacs - visMacs:N0}); " +
                          $"forward + backward about {6.0 * macs / 1e9:F1} GFLOP");
        console.WriteLine($"test clip: audio {TestAudioSamples:N0} samples = {2.0 * testMacsAudio / 1e9:F1} GFLOP, " +
                          $"each 456x256 frame {2.0 * testMacsFrame / 1e9:F2} GFLOP (459 frames: {2.0 * (testMacsAudio + 459 * testMacsFrame) / 1e9:F0} GFLOP)");
    }
}
