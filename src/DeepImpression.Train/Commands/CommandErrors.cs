using DeepImpression.Core;

namespace DeepImpression.Train.Commands;

/// <summary>
/// Turns failures into one clear line on stderr and a non-zero exit code. A stack trace is shown only for
/// unexpected errors, and only when DEEPIMPRESSION_DEBUG is set.
/// </summary>
public static class CommandErrors
{
    /// <summary>Exit code for bad input (a missing or malformed file, a wrong argument): the message names the file and the problem.</summary>
    public const int BadInput = 2;
    /// <summary>Exit code for any other failure.</summary>
    public const int Failure = 1;

    /// <summary>Runs <paramref name="action"/> and returns its exit code, or, when it throws, writes one <c>error:</c> line to stderr and returns <see cref="BadInput"/> or <see cref="Failure"/>.</summary>
    public static int Run(Func<int> action)
    {
        try
        {
            return action();
        }
        catch (InvalidInputException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return BadInput;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException or IOException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return BadInput;
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("interrupted.");
            return 130;
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"error: {e.GetType().Name}: {e.Message}");
            if (Environment.GetEnvironmentVariable("DEEPIMPRESSION_DEBUG") is { Length: > 0 }) Console.Error.WriteLine(e);
            else Console.Error.WriteLine("(set DEEPIMPRESSION_DEBUG=1 for the stack trace)");
            return Failure;
        }
    }
}
