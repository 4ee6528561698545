using System.CommandLine;
using DeepImpression.Cuda;

namespace DeepImpression.Train.Commands;

/// <summary>
/// The <c>deepimpression</c> command line as a library call: the tool package's entry point is this one line, and a
/// program or a test that wants the exact behaviour of the command (its parsing, its one-line errors, its exit codes)
/// calls it the same way.
/// </summary>
public static class DeepImpressionCommand
{
    /// <summary>Parses <paramref name="args"/> as <c>deepimpression</c> does and runs the command.</summary>
    /// <returns>The process exit code: 0 on success, <see cref="CommandErrors.BadInput"/> for bad input, others as
    /// <see cref="CommandErrors"/> lists.</returns>
    public static int Run(string[] args)
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
