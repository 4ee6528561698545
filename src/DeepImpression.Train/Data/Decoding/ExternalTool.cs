using System.ComponentModel;
using System.Diagnostics;
using DeepImpression.Core;

namespace DeepImpression.Train.Data.Decoding;

/// <summary>
/// Runs ffmpeg or ffprobe as a child process, feeding its stdin and reading its stdout on their own tasks so that
/// neither pipe can fill up and stall the other. Cancellation kills the process.
/// </summary>
public static class ExternalTool
{
    public const string Ffmpeg = "ffmpeg";
    public const string Ffprobe = "ffprobe";

    /// <param name="tool">Executable name, looked up on PATH.</param>
    /// <param name="arguments">Passed as they are (no shell).</param>
    /// <param name="writeStdin">Writes the tool's input; null closes stdin at once.</param>
    /// <param name="readStdout">Reads the tool's output to its end; null discards it.</param>
    public static ToolRun Run(string tool, IReadOnlyList<string> arguments, Action<Stream>? writeStdin = null,
                              Action<Stream>? readStdout = null, CancellationToken cancellation = default)
    {
        cancellation.ThrowIfCancellationRequested();
        var start = new ProcessStartInfo(tool)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            CreateNoWindow = true,
        };
        foreach (var a in arguments) start.ArgumentList.Add(a);

        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (Win32Exception)
        {
            throw new InvalidInputException($"{tool} was not found on PATH: install ffmpeg (bash scripts/setup.sh, or apt-get install ffmpeg).");
        }

        var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
        var stdout = Task.Run(() =>
        {
            var stream = process.StandardOutput.BaseStream;
            try
            {
                readStdout?.Invoke(stream);
                stream.CopyTo(Stream.Null);
            }
            catch
            {
                // Nobody drains stdout any more, so the tool would block forever on a full pipe.
                Kill(process);
                throw;
            }
        }, CancellationToken.None);
        var stdin = Task.Run(() =>
        {
            var stream = process.StandardInput.BaseStream;
            try
            {
                writeStdin?.Invoke(stream);
            }
            catch (IOException)
            {
                // The tool closed its input early (it failed, or it has read enough); its exit code and stderr say why.
            }
            finally
            {
                try { stream.Close(); } catch (IOException) { }
            }
        }, CancellationToken.None);

        using (cancellation.Register(() => Kill(process)))
        {
            try
            {
                process.WaitForExit();
                Task.WaitAll(stdout, stdin, stderr);
            }
            catch (AggregateException e) when (cancellation.IsCancellationRequested)
            {
                throw new OperationCanceledException("cancelled", e, cancellation);
            }
            catch (AggregateException e) when (e.InnerExceptions.Count == 1)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
                throw;
            }
        }
        cancellation.ThrowIfCancellationRequested();
        return new ToolRun(process.ExitCode, stderr.Result);
    }

    private static void Kill(Process process)
    {
        try
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException) { }
        catch (Win32Exception) { }
    }
}
