using System.Text.Json;

namespace DeepImpression.Train.Tests.Commands;

[TestFixture]
[NonParallelizable]
public class BenchCommandTests
{
    [Test, Category("Slow")]
    public void Bench_reports_machine_peak_layers_step_time_and_memory_as_json()
    {
        var (code, output, error) = Cli.Run("bench", "--batch-size", "2", "--steps", "1", "--no-clip", "--json");
        Assert.That(code, Is.Zero, error);
        using var doc = JsonDocument.Parse(output);
        var r = doc.RootElement;
        Assert.That(r.GetProperty("Machine").GetProperty("LogicalCores").GetInt32(), Is.EqualTo(Environment.ProcessorCount));
        Assert.That(r.GetProperty("FmaPeakGflops").GetDouble(), Is.GreaterThan(0));
        Assert.That(r.GetProperty("MsPerExample").GetDouble(), Is.GreaterThan(0));
        Assert.That(r.GetProperty("FastestStepMs").GetDouble(), Is.GreaterThan(0).And.LessThanOrEqualTo(r.GetProperty("StepMs").GetDouble()));
        Assert.That(r.GetProperty("SlowestStepMs").GetDouble(), Is.GreaterThanOrEqualTo(r.GetProperty("StepMs").GetDouble()));
        Assert.That(r.GetProperty("GflopPerStep").GetDouble(), Is.EqualTo(2.0 * 3 * 2 * 987_539_968 / 1e9).Within(1e-6));
        Assert.That(r.GetProperty("K80MsPerTrainingExample").GetDouble(), Is.EqualTo(50));
        Assert.That(r.GetProperty("PeakResidentBytes").GetInt64(), Is.GreaterThan(0));
        var layers = r.GetProperty("Layers").EnumerateArray().Select(l => l.GetProperty("Layer").GetString()).ToList();
        Assert.That(layers, Does.Contain("aud/res3a_relu").And.Contain("vis/conv1_relu").And.Contain("fc").And.Contain("optimizer (Adam)"));
        Assert.That(r.GetProperty("Layers").EnumerateArray().Where(l => l.GetProperty("Layer").GetString()!.EndsWith("_relu"))
            .All(l => l.GetProperty("ForwardMs").GetDouble() > 0 && l.GetProperty("BackwardMs").GetDouble() > 0), Is.True, "every layer has a forward and a backward time");
    }
}
