using System.CommandLine;

namespace DeepImpression.Train.Commands;

/// <summary><c>deepimpression summary</c>: every layer of the network with shapes, parameter counts and FLOPs.</summary>
public static class SummaryCommand
{
    public static Command Create()
    {
        var command = new Command("summary", "Print every layer of the Deep Impression network: output shapes, parameters, FLOPs.");
        command.SetAction(_ =>
        {
            Console.WriteLine("Deep Impression network summary: not built yet.");
            return 0;
        });
        return command;
    }
}
