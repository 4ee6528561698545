using System.Text.Json;

namespace DeepImpression.Train.Tests.Commands;

[TestFixture]
[NonParallelizable]
public class BenchCommandTests
{
    [Test, Category("Slow")]
    public void Bench_reports_machine_peak_plans_layers_step_times_and_memory_as_json()
    {
        var (code, output, error) = Cli.Run("bench", "--batch-size", "2,3", "--steps", "1", "--no-clip", "--json");
        Assert.That(code, Is.Zero, error);
        using var doc = JsonDocument.Parse(output);
        var r = doc.RootElement;
        Assert.That(r.GetProperty("Machine").GetProperty("LogicalCores").GetInt32(), Is.EqualTo(Environment.ProcessorCount));
        double peak = r.GetProperty("FmaPeakGflops").GetDouble();
        Assert.That(peak, Is.GreaterThan(0));
        var runs = r.GetProperty("Training").EnumerateArray().ToList();
        Assert.That(runs.Select(t => t.GetProperty("BatchSize").GetInt32()), Is.EqualTo(new[] { 2, 3 }));
        foreach (var run in runs)
        {
            int n = run.GetProperty("BatchSize").GetInt32();
            Assert.That(run.GetProperty("MsPerExample").GetDouble(), Is.GreaterThan(0));
            Assert.That(run.GetProperty("FastestStepMs").GetDouble(), Is.GreaterThan(0).And.LessThanOrEqualTo(run.GetProperty("StepMs").GetDouble()));
            Assert.That(run.GetProperty("SlowestStepMs").GetDouble(), Is.GreaterThanOrEqualTo(run.GetProperty("StepMs").GetDouble()));
            Assert.That(run.GetProperty("GflopPerStep").GetDouble(), Is.EqualTo(2.0 * 3 * n * 987_539_968 / 1e9).Within(1e-6));
            Assert.That(run.GetProperty("PercentOfPeak").GetDouble(),
                Is.EqualTo(100 * run.GetProperty("AchievedGflops").GetDouble() / peak).Within(1e-9));
            var plans = run.GetProperty("Plans").EnumerateArray().ToList();
            Assert.That(plans, Has.Count.EqualTo(40), "every convolution of both streams");
            Assert.That(plans.Select(p => p.GetProperty("Layer").GetString()), Does.Contain("vis/res2a_relu/res_branch2a").And.Contain("aud/conv1_relu/conv"));
            Assert.That(plans.All(p => p.GetProperty("Forward").GetString()!.Length > 0 && p.GetProperty("FilterGradient").GetString()!.Length > 0));
        }
        Assert.That(r.GetProperty("ClipGflop").GetDouble(), Is.GreaterThan(1000), "459 frames at 456 x 256 and a 15-s waveform");
        Assert.That(r.GetProperty("K80MsPerTrainingExample").GetDouble(), Is.EqualTo(50));
        Assert.That(r.GetProperty("PeakResidentBytes").GetInt64(), Is.GreaterThan(0));
        var layers = r.GetProperty("Layers").EnumerateArray().Select(l => l.GetProperty("Layer").GetString()).ToList();
        Assert.That(layers, Does.Contain("aud/res3a_relu").And.Contain("vis/conv1_relu").And.Contain("fc").And.Contain("optimizer (Adam)"));
        Assert.That(r.GetProperty("Layers").EnumerateArray().Where(l => l.GetProperty("Layer").GetString()!.EndsWith("_relu"))
            .All(l => l.GetProperty("ForwardMs").GetDouble() > 0 && l.GetProperty("BackwardMs").GetDouble() > 0), Is.True, "every layer has a forward and a backward time");
    }

    [TestCase("1")]
    [TestCase("32,x")]
    [TestCase(",")]
    public void A_batch_size_below_two_or_not_a_number_is_refused_with_one_line(string sizes)
    {
        var (code, _, error) = Cli.Run("bench", "--batch-size", sizes, "--no-clip");
        Assert.That(code, Is.EqualTo(2));
        Assert.That(error.Trim(), Does.StartWith("error:").And.Contain("--batch-size"));
        Assert.That(error.Trim().Split('\n'), Has.Length.EqualTo(1));
    }
}
