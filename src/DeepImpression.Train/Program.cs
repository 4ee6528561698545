using System.CommandLine;
using DeepImpression.Cuda;
using DeepImpression.Train.Commands;

namespace DeepImpression.Train;

public static class Program
{
    public static int Main(string[] args)
    {
        // Only registers a factory: nothing CUDA is loaded until a cuda device is asked for.
        CudaBackend.Register();
        var root = new RootCommand("DeepImpression: train and run the Deep Impression audiovisual residual network " +
                                   "that predicts apparent Big Five personality traits from 15-second video clips.");
        foreach (var command in CommandCatalog.All()) root.Subcommands.Add(command);
        // No command, or `help [COMMAND]`: the help, and success (asking for help is not an error).
        if (args.Length == 0 || args[0] is "help") args = [.. args.Skip(1), "--help"];
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            Console.Error.WriteLine($"error: {ParseErrorMessage.Describe(parse)}");
            return CommandErrors.BadInput;
        }
        return CommandErrors.Run(() => parse.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false }));
    }
}
