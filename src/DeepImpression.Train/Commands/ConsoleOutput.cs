using Spectre.Console;

namespace DeepImpression.Train.Commands;

/// <summary>The console for tables and progress: a terminal's own width, or a wide plain one when redirected (CI logs).</summary>
internal static class ConsoleOutput
{
    public static bool IsInteractive => !Console.IsOutputRedirected && Environment.GetEnvironmentVariable("CI") is null;

    public static IAnsiConsole Create()
    {
        if (IsInteractive) return AnsiConsole.Console;
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(Console.Out),
        });
        console.Profile.Width = 200;
        return console;
    }
}
