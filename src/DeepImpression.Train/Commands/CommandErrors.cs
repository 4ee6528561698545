using DeepImpression.Core;

namespace DeepImpression.Train.Commands;

/// <summary>
/// Turns failures into one clear line on stderr and a non-zero exit code. A stack trace is shown only for
/// unexpected errors, and only when DEEPIMPRESSION_DEBUG is set.
/// </summary>
public static class CommandErrors
{
    public const int BadInput = 2;
    public const int Failure = 1;

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
