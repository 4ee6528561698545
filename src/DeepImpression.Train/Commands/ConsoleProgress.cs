using System.Diagnostics;
using System.Globalization;
using Spectre.Console;

namespace DeepImpression.Train.Commands;

/// <summary>
/// Shows the progress of a long job: a Spectre.Console progress bar on an interactive terminal, otherwise (logs, CI)
/// a plain line every few seconds and at the end.
/// </summary>
internal static class ConsoleProgress
{
    private static readonly TimeSpan PlainInterval = TimeSpan.FromSeconds(5);

    /// <summary>Runs <paramref name="work"/>, which reports (done, total) through the callback it is given.</summary>
    public static T Run<T>(string title, Func<IProgress<(int Done, int Total)>, T> work)
    {
        if (!Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive)
        {
            T result = default!;
            AnsiConsole.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
                .Start(ctx =>
                {
                    var task = ctx.AddTask(Markup.Escape(title), maxValue: 1);
                    result = work(new Callback((done, total) =>
                    {
                        task.MaxValue = Math.Max(1, total);
                        task.Value = done;
                    }));
                    task.Value = task.MaxValue;
                });
            return result;
        }

        var clock = Stopwatch.StartNew();
        var last = TimeSpan.Zero;
        var gate = new object();
        return work(new Callback((done, total) =>
        {
            lock (gate)
            {
                if (done != total && clock.Elapsed - last < PlainInterval) return;
                if (done == 0) return;
                last = clock.Elapsed;
                double rate = done / Math.Max(1e-9, clock.Elapsed.TotalSeconds);
                var eta = TimeSpan.FromSeconds(Math.Round((total - done) / Math.Max(1e-9, rate)));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{title}: {done}/{total} ({100.0 * done / Math.Max(1, total):0}%), {rate:0.0} per second, ETA {eta:c}"));
            }
        }));
    }

    private sealed class Callback(Action<int, int> report) : IProgress<(int Done, int Total)>
    {
        public void Report((int Done, int Total) value) => report(value.Done, value.Total);
    }
}
