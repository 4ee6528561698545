using DeepImpression.Train.Commands;

namespace DeepImpression.Train.Tests.Commands;

/// <summary>Runs <c>deepimpression</c> in-process as a user would, capturing its exit code and what it printed.</summary>
internal static class Cli
{
    private static readonly object ConsoleLock = new();

    public static (int Code, string Out, string Err) Run(params string[] args)
    {
        lock (ConsoleLock)
        {
            var (oldOut, oldErr) = (Console.Out, Console.Error);
            var (o, e) = (new StringWriter(), new StringWriter());
            Console.SetOut(o);
            Console.SetError(e);
            try
            {
                return (DeepImpressionCommand.Run(args), o.ToString(), e.ToString());
            }
            finally
            {
                Console.SetOut(oldOut);
                Console.SetError(oldErr);
            }
        }
    }
}
