using System.CommandLine;
using DeepImpression.Train.Commands;

namespace DeepImpression.Train;

public static class Program
{
    public static int Main(string[] args)
    {
        var root = new RootCommand("DeepImpression: train and run the Deep Impression audiovisual residual network " +
                                   "that predicts apparent Big Five personality traits from 15-second video clips.");
        foreach (var command in CommandCatalog.All()) root.Subcommands.Add(command);
        var parse = root.Parse(args);
        return CommandErrors.Run(() => parse.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false }));
    }
}
