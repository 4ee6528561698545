using DeepImpression.Train.Commands;

namespace DeepImpression.Tool;

/// <summary>The deepimpression tool: the command line lives in DeepImpression.Train, where a program can call it too.</summary>
internal static class Program
{
    private static int Main(string[] args) => DeepImpressionCommand.Run(args);
}
