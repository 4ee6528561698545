using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using DeepImpression.Core;

namespace DeepImpression.Train.Data.Decoding;

/// <summary>
/// Runs ffmpeg or ffprobe as a child process, feeding its stdin and reading its stdout on their own tasks so that
/// neither pipe can fill up and stall the other. Every call here follows three rules, so that a hostile file or
/// file name cannot hang or trick the program:
/// <list type="bullet">
/// <item>A file reaches the tool only as <see cref="FileArgument"/> (<c>file:/absolute/path</c>), never as an option
/// (<c>-report</c>) or a protocol (<c>concat:</c>): <see cref="Run"/> refuses an <c>-i</c> argument in any other form
/// (except <c>pipe:</c>, and a <c>lavfi</c> source graph). <see cref="InputFile"/> also refuses what is not a regular
/// file (a FIFO would make the tool wait forever).</item>
/// <item>A tool that holds the caller up without moving a byte for <see cref="DefaultStallTimeout"/> (or the given
/// stall timeout) is killed, and the call fails naming the file. Time the caller spends on its own work between reads
/// and writes does not count, so a slow consumer of a long stream is never mistaken for a hung tool.</item>
/// <item>The tool dies with its parent: it is killed on cancellation and when the call fails, and on Linux it is
/// started through <c>setpriv --pdeathsig KILL</c>, so the kernel kills it when this process dies, even by SIGKILL.</item>
/// </list>
/// </summary>
internal static class ExternalTool
{
    public const string Ffmpeg = "ffmpeg";
    public const string Ffprobe = "ffprobe";

    /// <summary>How long a tool may make no progress while the caller waits on it (a 15-s clip decodes in about a second).</summary>
    public static readonly TimeSpan DefaultStallTimeout = TimeSpan.FromSeconds(60);

    private const string FileProtocol = "file:";
    private const int StderrKeptChars = 64 * 1024;

    // Found once: util-linux's setpriv sets the parent-death signal and then execs the tool in place.
    private static readonly Lazy<string?> ParentDeathWrapper = new(() => OperatingSystem.IsLinux() ? FindOnPath("setpriv") : null);

    /// <summary>
    /// <paramref name="path"/> as ffmpeg and ffprobe must be given it: <c>file:</c> and the absolute path, which can
    /// be read neither as an option (a file named <c>-report</c>) nor as another protocol (<c>concat:a|b</c>).
    /// </summary>
    public static string FileArgument(string path) => FileProtocol + Path.GetFullPath(path);

    /// <summary>
    /// Checks that <paramref name="path"/> is an existing regular file (links followed) and returns it as a
    /// <see cref="FileArgument"/>. A FIFO, device, socket or folder is refused with one message naming it.
    /// </summary>
    public static string InputFile(string path)
    {
        FileStatus.RequireRegularFile(path, "a video");
        return FileArgument(path);
    }

    /// <param name="tool">Executable name, looked up on PATH.</param>
    /// <param name="arguments">Passed as they are (no shell). Input files only as <see cref="FileArgument"/>.</param>
    /// <param name="writeStdin">Writes the tool's input; null closes stdin at once.</param>
    /// <param name="readStdout">Reads the tool's output to its end; null discards it.</param>
    /// <param name="cancellation">Kills the tool and throws <see cref="OperationCanceledException"/>.</param>
    /// <param name="stallTimeout">Longest time without progress (default <see cref="DefaultStallTimeout"/>).</param>
    public static ToolRun Run(string tool, IReadOnlyList<string> arguments, Action<Stream>? writeStdin = null,
                              Action<Stream>? readStdout = null, CancellationToken cancellation = default, TimeSpan? stallTimeout = null)
    {
        cancellation.ThrowIfCancellationRequested();
        string subject = CheckInputs(tool, arguments);
        TimeSpan limit = stallTimeout ?? DefaultStallTimeout;
        if (limit <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(stallTimeout), "The stall timeout must be positive.");

        using var process = new Process { StartInfo = StartInfo(tool, arguments) };
        try
        {
            process.Start();
        }
        catch (Win32Exception)
        {
            throw NotFound(tool);
        }

        var watch = new StallWatch();
        bool finished = false, stalled = false;
        try
        {
            var stderr = Task.Run(() => ReadStderr(process.StandardError, watch), CancellationToken.None);
            var stdout = Task.Run(() =>
            {
                var stream = new WatchedPipe(process.StandardOutput.BaseStream, watch);
                try
                {
                    if (readStdout is not null) stream.Serve(readStdout);
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
                var stream = new WatchedPipe(process.StandardInput.BaseStream, watch);
                try
                {
                    if (writeStdin is not null) stream.Serve(writeStdin);
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
                int poll = (int)Math.Clamp(limit.TotalMilliseconds / 4, 10, 500);
                while (!process.WaitForExit(poll))
                {
                    if (!watch.StalledFor(limit)) continue;
                    stalled = true;
                    Kill(process);
                }
                try
                {
                    Task.WaitAll(stdout, stdin, stderr);
                }
                catch (AggregateException) when (stalled && !cancellation.IsCancellationRequested)
                {
                    // What the reader made of the cut-off output matters less than why it was cut off.
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
            finished = true;
            if (stalled)
                throw new InvalidInputException(string.Create(CultureInfo.InvariantCulture,
                    $"{subject}: {tool} made no progress for {limit.TotalSeconds:0.#} s and was stopped (a file that never ends, such as a pipe, or a hung drive?)."));
            return new ToolRun(process.ExitCode, stderr.Result);
        }
        finally
        {
            // Whatever went wrong on this side, the tool must not outlive the call.
            if (!finished) Kill(process);
        }
    }

    /// <summary>The full path of <paramref name="tool"/> on PATH, or null.</summary>
    public static string? FindOnPath(string tool)
    {
        if (tool.Contains('/')) return File.Exists(tool) ? Path.GetFullPath(tool) : null;
        foreach (var folder in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(folder, tool);
            if (File.Exists(candidate) && (OperatingSystem.IsWindows() || (File.GetUnixFileMode(candidate) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0))
                return candidate;
        }
        return null;
    }

    private static ProcessStartInfo StartInfo(string tool, IReadOnlyList<string> arguments)
    {
        string executable = FindOnPath(tool) ?? throw NotFound(tool);
        string? wrapper = ParentDeathWrapper.Value;
        var start = new ProcessStartInfo(wrapper ?? executable)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            CreateNoWindow = true,
        };
        if (wrapper is not null)
            foreach (var a in new[] { "--pdeathsig", "KILL", "--", executable }) start.ArgumentList.Add(a);
        foreach (var a in arguments) start.ArgumentList.Add(a);
        return start;
    }

    /// <summary>Refuses an input given as a bare path; returns the first input file, to name it in messages.</summary>
    private static string CheckInputs(string tool, IReadOnlyList<string> arguments)
    {
        string? first = null;
        for (int i = 0; i + 1 < arguments.Count; i++)
        {
            if (arguments[i] != "-i") continue;
            string input = arguments[i + 1];
            bool lavfi = i >= 2 && arguments[i - 2] == "-f" && arguments[i - 1] == "lavfi";
            if (input.StartsWith(FileProtocol, StringComparison.Ordinal)) first ??= input[FileProtocol.Length..];
            else if (!lavfi && !input.StartsWith("pipe:", StringComparison.Ordinal))
                throw new ArgumentException($"{tool} input '{input}' must be given as ExternalTool.FileArgument(path), so that it cannot be read as an option or a protocol.", nameof(arguments));
        }
        return first ?? tool;
    }

    private static InvalidInputException NotFound(string tool) =>
        new($"{tool} was not found on PATH: install ffmpeg (bash scripts/setup.sh, or apt-get install ffmpeg).");

    // Keeps the end of stderr (where ffmpeg says why it failed) whatever a hostile file makes it print.
    private static string ReadStderr(StreamReader reader, StallWatch watch)
    {
        var kept = new StringBuilder();
        var buffer = new char[4096];
        int n;
        while ((n = reader.Read(buffer, 0, buffer.Length)) > 0)
        {
            watch.Progress();
            kept.Append(buffer, 0, n);
            if (kept.Length > 2 * StderrKeptChars) kept.Remove(0, kept.Length - StderrKeptChars);
        }
        return kept.ToString();
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

    /// <summary>
    /// Measures how long the tool has held the caller up: the clock runs only while no caller callback is doing its
    /// own work (each is inside a read or write on the tool's pipes, or done) and restarts whenever a byte moves.
    /// </summary>
    private sealed class StallWatch
    {
        private int _working;
        private long _since = Environment.TickCount64;

        public void Progress() => Volatile.Write(ref _since, Environment.TickCount64);

        public void StartWork() => Interlocked.Increment(ref _working);

        public void StopWork()
        {
            Progress();
            Interlocked.Decrement(ref _working);
        }

        public bool StalledFor(TimeSpan limit) =>
            Volatile.Read(ref _working) == 0 && Environment.TickCount64 - Volatile.Read(ref _since) > (long)limit.TotalMilliseconds;
    }

    /// <summary>
    /// One of the tool's pipes as a caller's callback sees it. While the callback runs (<see cref="Serve"/>) the caller
    /// counts as working, except inside a read or write, where it waits on the tool; every byte moved is progress.
    /// </summary>
    private sealed class WatchedPipe(Stream inner, StallWatch watch) : Stream
    {
        private bool _serving;

        /// <summary>Runs the caller's callback on this pipe.</summary>
        public void Serve(Action<Stream> callback)
        {
            watch.StartWork();
            _serving = true;
            try
            {
                callback(this);
            }
            finally
            {
                _serving = false;
                watch.StopWork();
            }
        }

        public override int Read(Span<byte> buffer)
        {
            BeginWait();
            try
            {
                int n = inner.Read(buffer);
                if (n > 0) watch.Progress();
                return n;
            }
            finally
            {
                EndWait();
            }
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            BeginWait();
            try
            {
                inner.Write(buffer);
                watch.Progress();
            }
            finally
            {
                EndWait();
            }
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Flush()
        {
            BeginWait();
            try
            {
                inner.Flush();
            }
            finally
            {
                EndWait();
            }
        }

        public override bool CanRead => inner.CanRead;
        public override bool CanSeek => false;
        public override bool CanWrite => inner.CanWrite;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing) inner.Dispose();
            base.Dispose(disposing);
        }

        private void BeginWait()
        {
            if (_serving) watch.StopWork();
        }

        private void EndWait()
        {
            if (_serving) watch.StartWork();
        }
    }
}
