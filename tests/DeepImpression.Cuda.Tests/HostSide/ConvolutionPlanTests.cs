using DeepImpression.Core.Backends;
using DeepImpression.Cuda.Dnn;
using DeepImpression.Cuda.Interop;

namespace DeepImpression.Cuda.Tests.HostSide;

/// <summary>How convolution algorithms are chosen from cuDNN's Find results (faked here: what Find returns is data),
/// by time, in deterministic mode by a fixed order, or forced; and the plan that searches once per shape.</summary>
[TestFixture]
public class ConvolutionPlanTests
{
    private const long Limit = 512L << 20;

    private static ConvolutionCandidate C(int algorithm, float ms, long workspace = 0, bool deterministic = true,
        CuDnnMathType math = CuDnnMathType.Fma, int status = 0) => new(algorithm, status, ms, workspace, deterministic, math);

    private static readonly ConvolutionPolicy Fastest = new();
    private static readonly ConvolutionPolicy Deterministic = new() { Deterministic = true };

    [Test]
    public void TheFastestSucceededAlgorithmWithinTheLimitAndInTheAllowedMathIsPicked()
    {
        ConvolutionCandidate[] results =
        [
            C(6, 0.1f, 10 << 20, math: CuDnnMathType.TensorOp),   // TF32: only when allowed
            C(7, 0.2f, status: 9),                                 // failed
            C(5, 0.3f, 900 << 20),                                 // over the limit
            C(1, 0.4f, 4 << 20),
            C(0, 0.9f),
        ];
        var forward = ConvolutionDirection.Forward;
        Assert.That(Fastest.Choose(forward, results, Limit, "test").Choice, Is.EqualTo(new ConvolutionChoice(1, 4 << 20, CuDnnMathType.Fma)));
        Assert.That(Fastest.Choose(forward, results, Limit, "test").Rule, Does.StartWith("fastest of 2 usable"));
        Assert.That((Fastest with { AllowTf32 = true }).Choose(forward, results, Limit, "test").Choice,
            Is.EqualTo(new ConvolutionChoice(6, 10 << 20, CuDnnMathType.TensorOp)));
        Assert.That(Fastest.Choose(forward, results, 1 << 20, "test").Choice.Algorithm, Is.EqualTo(0));
    }

    [Test]
    public void PlainDefaultMathIsAcceptedWhenNoFmaResultExistsButRunsAsFma()
    {
        ConvolutionCandidate[] results = [C(2, 0.1f, math: CuDnnMathType.TensorOp), C(3, 0.2f, math: CuDnnMathType.Default)];
        Assert.That(Fastest.Choose(ConvolutionDirection.Forward, results, 0, "test").Choice, Is.EqualTo(new ConvolutionChoice(3, 0, CuDnnMathType.Fma)));
    }

    [Test]
    public void NoUsableAlgorithmIsAnErrorNamingTheConvolutionTheLimitAndEveryCandidate()
    {
        ConvolutionCandidate[] results = [C(2, 0.1f, status: 3000)];
        var e = Assert.Throws<InvalidOperationException>(() => Fastest.Choose(ConvolutionDirection.Forward, results, 1 << 20, "convolution forward (1,2,3,4)"))!;
        Assert.That(e.Message, Does.Contain("convolution forward (1,2,3,4)").And.Contain("1 MiB").And.Contain("GEMM status 3000"));
    }

    /// <summary>Backward filter as cuDNN reports it: the atomics-based ALGO_0 and ALGO_3 fastest but
    /// non-deterministic, FFT faster than ALGO_1. Deterministic mode takes ALGO_1 whatever the times.</summary>
    [Test]
    public void DeterministicModeTakesOnlyDeterministicAlgorithmsInTheFixedOrderWhateverTheirTimes()
    {
        ConvolutionCandidate[] measured =
        [
            C(0, 0.10f, deterministic: false), C(3, 0.12f, deterministic: false), C(2, 0.20f, 8 << 20), C(1, 0.35f), C(5, 0.50f, 2 << 20),
        ];
        var filter = ConvolutionDirection.BackwardFilter;
        Assert.That(Fastest.Choose(filter, measured, Limit, "test").Choice.Algorithm, Is.EqualTo(0), "by default the fastest, atomics and all");
        var (choice, rule) = Deterministic.Choose(filter, measured, Limit, "test");
        Assert.That(choice.Algorithm, Is.EqualTo(1));
        Assert.That(rule, Does.Contain("fixed order ALGO_1 > WINOGRAD_NONFUSED > FFT_TILING > FFT"));

        // Another run measures other times: the choice stays.
        var remeasured = measured.Select((c, i) => c with { Milliseconds = 1f / (i + 1) }).ToArray();
        Assert.That(Deterministic.Choose(filter, remeasured, Limit, "test").Choice.Algorithm, Is.EqualTo(1));

        // Where ALGO_1 cannot run, the next in the order.
        var withoutAlgo1 = measured.Where(c => c.Algorithm != 1).ToArray();
        Assert.That(Deterministic.Choose(filter, withoutAlgo1, Limit, "test").Choice.Algorithm, Is.EqualTo(5));
        Assert.That(Deterministic.Choose(filter, withoutAlgo1, 4 << 20, "test").Choice, Is.EqualTo(new ConvolutionChoice(5, 2 << 20, CuDnnMathType.Fma)));
    }

    [Test]
    public void DeterministicModeRefusesWhenOnlyNonDeterministicAlgorithmsCanRun()
    {
        ConvolutionCandidate[] results = [C(0, 0.1f, deterministic: false), C(1, 0.2f, status: 9)];
        var e = Assert.Throws<InvalidOperationException>(() => Deterministic.Choose(ConvolutionDirection.BackwardData, results, Limit, "convolution x"))!;
        Assert.That(e.Message, Does.Contain("no usable deterministic algorithm for convolution x").And.Contain("ALGO_0").And.Contain("non-deterministic"));
    }

    [Test]
    public void TheDeterministicOrderPutsDirectSummationsFirstAndLeavesOutTheAtomicsAlgorithms()
    {
        Assert.That(ConvolutionAlgorithmCatalog.DeterministicPreference(ConvolutionDirection.Forward)
            .Select(a => ConvolutionAlgorithmCatalog.Name(ConvolutionDirection.Forward, a)).Take(4),
            Is.EqualTo(new[] { "IMPLICIT_PRECOMP_GEMM", "IMPLICIT_GEMM", "GEMM", "DIRECT" }));
        Assert.That(ConvolutionAlgorithmCatalog.DeterministicPreference(ConvolutionDirection.BackwardData), Does.Not.Contain(0));
        Assert.That(ConvolutionAlgorithmCatalog.DeterministicPreference(ConvolutionDirection.BackwardFilter), Does.Not.Contain(0).And.Not.Contain(3));
        foreach (var direction in Enum.GetValues<ConvolutionDirection>())
        {
            var order = ConvolutionAlgorithmCatalog.DeterministicPreference(direction);
            Assert.That(order[0], Is.EqualTo(1), $"{direction}: the precomputed-index GEMM (ALGO_1) first");
            Assert.That(order, Is.Unique);
        }
    }

    [Test]
    public void AForcedAlgorithmIsUsedWhereUsableAndRefusedWhereNot()
    {
        var forced = new ConvolutionPolicy { Forced = ConvolutionPolicy.ParseForced("forward=2, backward-filter=5") };
        Assert.That(forced.Forced, Is.EquivalentTo(new Dictionary<ConvolutionDirection, int>
        {
            [ConvolutionDirection.Forward] = 2, [ConvolutionDirection.BackwardFilter] = 5,
        }));
        ConvolutionCandidate[] results = [C(1, 0.1f), C(2, 0.5f)];
        var (choice, rule) = forced.Choose(ConvolutionDirection.Forward, results, Limit, "test");
        Assert.That(choice.Algorithm, Is.EqualTo(2));
        Assert.That(rule, Does.Contain(ConvolutionPolicy.ForcedVariable));
        Assert.That(forced.Choose(ConvolutionDirection.BackwardData, results, Limit, "test").Choice.Algorithm, Is.EqualTo(1), "not forced: fastest");
        var e = Assert.Throws<InvalidOperationException>(() => forced.Choose(ConvolutionDirection.BackwardFilter, results, Limit, "conv y"))!;
        Assert.That(e.Message, Does.Contain("WINOGRAD_NONFUSED for conv y"));
        Assert.Throws<FormatException>(() => ConvolutionPolicy.ParseForced("sideways=1"));
        Assert.Throws<FormatException>(() => ConvolutionPolicy.ParseForced("forward=x"));
        Assert.That(ConvolutionPolicy.ParseForced(null), Is.Empty);
    }

    [Test]
    public void OptionsComeFromTheEnvironmentVariables()
    {
        var env = new Dictionary<string, string>
        {
            ["DEEPIMPRESSION_DETERMINISTIC"] = "1", ["DEEPIMPRESSION_PRINT_CONV_PLAN"] = "true", ["DEEPIMPRESSION_CONV_ALGORITHMS"] = "backward-data=1",
        };
        var options = CudaBackendOptions.FromEnvironment(k => env.GetValueOrDefault(k));
        Assert.That(options.Deterministic, Is.True);
        Assert.That(options.AllowTf32, Is.False);
        Assert.That(options.PrintConvolutionPlan, Is.True);
        Assert.That(options.ConvolutionPolicy.Deterministic, Is.True);
        Assert.That(options.ConvolutionPolicy.Forced[ConvolutionDirection.BackwardData], Is.EqualTo(1));
        Assert.That(CudaBackendOptions.FromEnvironment(_ => null).Deterministic, Is.False);
    }

    private static ConvolutionKey Key(int n, ConvolutionDirection direction = ConvolutionDirection.Forward) =>
        new(direction, new(n, 32, 56, 56), new(32, 32, 3, 3), ConvolutionGeometry.Same(1, 1), false);

    private static ConvolutionPlanEntry Entry(ConvolutionKey key, int algorithm) =>
        new(key, [C(algorithm, 0.5f, 1 << 20)], new ConvolutionChoice(algorithm, 1 << 20, CuDnnMathType.Fma), "test rule", Limit, 12);

    [Test]
    public void ThePlanSearchesOncePerShapeAndDirectionAndReusesTheChoiceForOtherBatchSizes()
    {
        var searched = new List<ConvolutionKey>();
        var printed = new List<string>();
        var plan = new ConvolutionPlan { Searched = e => printed.Add(e.Describe()) };
        ConvolutionPlanEntry Search(ConvolutionKey k)
        {
            searched.Add(k);
            return Entry(k, searched.Count);
        }
        long? Workspace(ConvolutionKey k, ConvolutionChoice c) => k.Input.N * 1000L;

        var first = plan.Resolve(Key(32), Search, Workspace);
        for (int i = 0; i < 5; i++) Assert.That(plan.Resolve(Key(32), Search, Workspace), Is.EqualTo(first));
        var smaller = plan.Resolve(Key(11), Search, Workspace);
        Assert.That(smaller, Is.EqualTo(first with { WorkspaceBytes = 11_000 }), "same algorithm, the workspace cuDNN reports for N = 11");
        Assert.That(searched, Has.Count.EqualTo(1));

        plan.Resolve(Key(32, ConvolutionDirection.BackwardData), Search, Workspace);
        plan.Resolve(Key(32) with { Geometry = ConvolutionGeometry.Same(2, 1) }, Search, Workspace);
        Assert.That(plan.Searches, Is.EqualTo(3));
        Assert.That(plan.Shapes, Is.EqualTo(4));

        // cuDNN refuses the reused algorithm for a new batch size (or it needs too much workspace): search that one.
        var refused = plan.Resolve(Key(7), Search, (k, c) => null);
        Assert.That(searched[^1], Is.EqualTo(Key(7)));
        Assert.That(refused.Algorithm, Is.EqualTo(4));
        Assert.That(plan.Searches, Is.EqualTo(4));

        Assert.That(printed, Has.Count.EqualTo(4));
        Assert.That(printed[0], Does.StartWith("forward x(32,32,56,56) w(32,32,3,3)").And.Contain("IMPLICIT_PRECOMP_GEMM").And.Contain("test rule"));
        Assert.That(plan.Describe().Split(Environment.NewLine), Is.EqualTo(printed));
    }
}
