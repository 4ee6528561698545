using System.Diagnostics;

namespace DeepImpression.Train.Training;

/// <summary>
/// Training progress for people and for logs: on a terminal, one line redrawn in place with examples/s, running loss
/// and ETA; otherwise (CI) a plain line every <see cref="PlainEvery"/> steps and at each epoch's end.
/// </summary>
internal sealed class ProgressReporter(TextWriter output, bool interactive, long totalSteps, int batchSize)
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private long _stepsThisSession;
    private double _runningLoss = double.NaN;

    public int PlainEvery { get; init; } = 50;

    public double RunningLoss => _runningLoss;

    public double ExamplesPerSecond => _stepsThisSession * batchSize / Math.Max(_clock.Elapsed.TotalSeconds, 1e-9);

    public void Step(int epoch, long step, float loss)
    {
        _stepsThisSession++;
        _runningLoss = double.IsNaN(_runningLoss) ? loss : 0.95 * _runningLoss + 0.05 * loss;
        if (interactive)
        {
            double fraction = totalSteps > 0 ? Math.Min(1, (double)step / totalSteps) : 0;
            int filled = (int)(fraction * 30);
            output.Write($"\repoch {epoch} [{new string('#', filled)}{new string('.', 30 - filled)}] step {step}/{totalSteps} " +
                         $"loss {_runningLoss:F4}  {ExamplesPerSecond:F1} ex/s  ETA {Eta(step)}   ");
        }
        else if (step % PlainEvery == 0)
        {
            output.WriteLine($"epoch {epoch} step {step}/{totalSteps} loss {_runningLoss:F4} {ExamplesPerSecond:F1} ex/s ETA {Eta(step)}");
        }
    }

    /// <summary>A line that must stand on its own (evaluation results, checkpoints).</summary>
    public void Line(string text)
    {
        if (interactive) output.Write("\r" + new string(' ', 110) + "\r");
        output.WriteLine(text);
    }

    private string Eta(long step)
    {
        if (_stepsThisSession == 0 || totalSteps <= step) return "0s";
        double perStep = _clock.Elapsed.TotalSeconds / _stepsThisSession;
        var eta = TimeSpan.FromSeconds(perStep * (totalSteps - step));
        return eta.TotalHours >= 1 ? $"{(int)eta.TotalHours}h{eta.Minutes:D2}m" : eta.TotalMinutes >= 1 ? $"{eta.Minutes}m{eta.Seconds:D2}s" : $"{eta.Seconds}s";
    }
}
