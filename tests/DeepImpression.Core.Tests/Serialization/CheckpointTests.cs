using DeepImpression.Core.Autograd;
using DeepImpression.Core.Model;
using DeepImpression.Core.Optim;
using DeepImpression.Core.Serialization;
using DeepImpression.Core.Tensors;

namespace DeepImpression.Core.Tests.Serialization;

[TestFixture]
public class CheckpointTests
{
    private string _dir = null!;

    [SetUp]
    public void SetUp() => Directory.CreateDirectory(_dir = Path.Combine(Path.GetTempPath(), "di-ckpt-" + Guid.NewGuid().ToString("N")));

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    private static float[] Outputs(DeepImpressionNet net)
    {
        var rng = new Rng(42);
        using var noGrad = Backprop.NoGrad();
        using var scope = TensorScope.Begin();
        net.SetTraining(false);
        return net.Forward(Tensor.RandomUniform(new Shape(2, 1, 1, 4096), rng, -1, 1), Tensor.RandomUniform(new Shape(2, 3, 48, 48), rng, 0, 255)).ToArray();
    }

    /// <summary>A network whose weights and running statistics have moved away from their initial values.</summary>
    private static (DeepImpressionNet Net, Adam Adam) Trained(ulong seed)
    {
        var net = new DeepImpressionNet(Device.Cpu, seed);
        var adam = new Adam(net.NamedParameters());
        var rng = new Rng(seed + 1);
        for (int i = 0; i < 2; i++)
        {
            using var scope = TensorScope.Begin();
            net.ZeroGradients();
            var y = net.Forward(Tensor.RandomUniform(new Shape(2, 1, 1, 4096), rng, -1, 1), Tensor.RandomUniform(new Shape(2, 3, 48, 48), rng, 0, 255));
            Core.Ops.Op.MeanAbsoluteError(y, Tensor.RandomUniform(new Shape(2, 5), rng)).Backward();
            adam.Step();
        }
        return (net, adam);
    }

    [Test]
    public void Save_then_load_gives_identical_outputs_bit_for_bit_and_restores_the_optimizer()
    {
        var (net, adam) = Trained(1);
        string path = Path.Combine(_dir, "model.npz");
        Checkpoint.Save(path, net, adam, new Dictionary<string, double> { ["epoch"] = 3 }, new Dictionary<string, string> { ["config"] = "{\"a\":1}" });

        var copy = new DeepImpressionNet(Device.Cpu, seed: 99);
        var copyAdam = new Adam(copy.NamedParameters());
        var contents = Checkpoint.Load(path, copy, copyAdam);

        Assert.That(Outputs(copy), Is.EqualTo(Outputs(net)));
        Assert.That(contents.Scalars["epoch"], Is.EqualTo(3));
        Assert.That(contents.Texts["config"], Is.EqualTo("{\"a\":1}"));
        Assert.That(copyAdam.StepCount, Is.EqualTo(2));
        var expected = adam.NamedState().ToDictionary(s => s.Path, s => s.Tensor.ToArray());
        foreach (var (name, t) in copyAdam.NamedState()) Assert.That(t.ToArray(), Is.EqualTo(expected[name]), name);
        var stats = net.NamedPersistents().ToDictionary(s => s.Path, s => s.Tensor.ToArray());
        foreach (var (name, t) in copy.NamedPersistents()) Assert.That(t.ToArray(), Is.EqualTo(stats[name]), name);
    }

    [Test]
    public void A_truncated_checkpoint_gives_one_error_naming_the_file()
    {
        var (net, _) = Trained(2);
        string path = Path.Combine(_dir, "model.npz");
        Checkpoint.Save(path, net);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        var ex = Assert.Throws<InvalidInputException>(() => Checkpoint.Load(path, new DeepImpressionNet(Device.Cpu)));
        Assert.That(ex!.Message, Does.Contain(path));
        Assert.That(ex.Message, Does.Not.Contain("\n"));
    }

    [Test]
    public void Original_weights_load_under_a_prefix_with_their_counters_ignored()
    {
        var (net, _) = Trained(3);
        // Written by hand the way the original saved its model: every key under "predictor/", plus ".../N" counters.
        var arrays = net.NamedState().Select(s => ("predictor/" + s.Path, new NpyArray(s.Tensor.ToArray(), s.Tensor.Shape))).ToList();
        arrays.AddRange(net.NamedPersistents().Where(p => p.Path.EndsWith("/avg_mean")).Select(p => ("predictor/" + p.Path[..^"avg_mean".Length] + "N", NpyArray.Scalar(7L))));
        string path = Path.Combine(_dir, "original.npz");
        NpzFile.Write(path, arrays);

        var loaded = new DeepImpressionNet(Device.Cpu, seed: 5);
        var report = ModelWeights.Load(path, loaded);
        Assert.That(report.Prefix, Is.EqualTo("predictor/"));
        Assert.That(report.IsComplete, Is.True);
        Assert.That(report.Unexpected, Is.Empty);
        Assert.That(report.IgnoredCounters, Is.EqualTo(40));
        Assert.That(Outputs(loaded), Is.EqualTo(Outputs(net)));
    }

    [Test]
    public void Missing_misshaped_and_unexpected_keys_are_named_and_a_partial_load_is_refused()
    {
        var net = new DeepImpressionNet(Device.Cpu, seed: 4);
        var arrays = net.NamedState()
            .Where(s => s.Path != "vis/conv1_relu/conv/b")
            .Select(s => s.Path == "fc/W"
                ? (s.Path, new NpyArray(new float[5 * 256], new Shape(5, 256)))
                : (s.Path, new NpyArray(s.Tensor.ToArray(), s.Tensor.Shape)))
            .Append(("aud/extra_layer/W", NpyArray.Vector([1f, 2f])))
            .ToList();
        string path = Path.Combine(_dir, "partial.npz");
        NpzFile.Write(path, arrays);

        var target = new DeepImpressionNet(Device.Cpu, seed: 6);
        var before = Outputs(target);
        var ex = Assert.Throws<InvalidInputException>(() => ModelWeights.Load(path, target));
        Assert.That(ex!.Message, Does.Contain(path).And.Contain("vis/conv1_relu/conv/b").And.Contain("fc/W (file (5, 256), model (5, 512))")
            .And.Contain("aud/extra_layer/W"));
        Assert.That(Outputs(target), Is.EqualTo(before), "a refused load changes nothing");

        var report = ModelWeights.Load(path, target, allowPartial: true);
        Assert.That(report.Missing, Is.EqualTo(new[] { "vis/conv1_relu/conv/b" }));
        Assert.That(report.Misshaped, Has.Count.EqualTo(1));
        Assert.That(report.Unexpected, Is.EqualTo(new[] { "aud/extra_layer/W" }));
        var loaded = target.NamedState().ToDictionary(s => s.Path, s => s.Tensor.ToArray());
        Assert.That(loaded["aud/conv1_relu/conv/W"], Is.EqualTo(net.NamedState().First(s => s.Path == "aud/conv1_relu/conv/W").Tensor.ToArray()));
    }

    [Test]
    public void A_checkpoint_without_optimizer_state_cannot_resume_an_optimizer()
    {
        var (net, _) = Trained(7);
        string path = Path.Combine(_dir, "weights.npz");
        Checkpoint.Save(path, net);
        var copy = new DeepImpressionNet(Device.Cpu);
        var ex = Assert.Throws<InvalidInputException>(() => Checkpoint.Load(path, copy, new Adam(copy.NamedParameters())));
        Assert.That(ex!.Message, Does.Contain(path).And.Contain("optimizer"));
    }
}
