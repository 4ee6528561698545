using System.Diagnostics;

namespace DeepImpression.Tests.Shared;

/// <summary>
/// A Python 3 interpreter that has numpy, for interoperability tests. Debian's python3-numpy puts it at
/// /usr/bin/python3 (scripts/setup.sh installs it); the python3 first on PATH may be another one without numpy.
/// Tests that need it are ignored, with the reason, where there is none.
/// </summary>
internal static class PythonWithNumpy
{
    private static readonly Lazy<string?> Interpreter = new(Find);

    /// <summary>The interpreter, or Assert.Ignore when none has numpy.</summary>
    public static string Require() =>
        Interpreter.Value ?? throw IgnoreException();

    /// <summary>Runs <paramref name="script"/> with <paramref name="arguments"/> (sys.argv[1:]) and returns its
    /// standard output; fails the test when the script fails.</summary>
    public static string Run(string script, params string[] arguments)
    {
        var (exitCode, output, error) = Execute(Require(), ["-c", script, .. arguments]);
        if (exitCode != 0) Assert.Fail($"python failed with exit code {exitCode}:\n{error}");
        return output;
    }

    private static Exception IgnoreException()
    {
        Assert.Ignore("No python3 with numpy found (tried /usr/bin/python3 and python3 on PATH); " +
                      "install Debian's python3-numpy (bash scripts/setup.sh) to run the numpy interoperability tests.");
        return new InvalidOperationException("unreachable");
    }

    private static string? Find()
    {
        foreach (var candidate in new[] { "/usr/bin/python3", "python3" })
        {
            try
            {
                if (Execute(candidate, ["-c", "import numpy"]).ExitCode == 0) return candidate;
            }
            catch (System.ComponentModel.Win32Exception)
            {
                // Not installed.
            }
        }
        return null;
    }

    private static (int ExitCode, string Output, string Error) Execute(string executable, string[] arguments)
    {
        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {executable}");
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output, error.Result);
    }
}
