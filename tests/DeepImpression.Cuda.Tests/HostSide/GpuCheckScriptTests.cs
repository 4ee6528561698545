using System.Diagnostics;

namespace DeepImpression.Cuda.Tests.HostSide;

/// <summary>
/// scripts/gpu-check.sh run against a stub runner: fake <c>deepimpression</c> and test-runner executables that
/// succeed, fail, hang or report numbers as each test asks (STUB_* variables), so the stages, their order, the time
/// limits, the log and the one verdict line are checked without a GPU.
/// </summary>
[TestFixture]
public class GpuCheckScriptTests
{
    private const string StubCli = """
        #!/usr/bin/env bash
        # A stub deepimpression: STUB_<COMMAND> = ok (default), fail or hang.
        command=$1; shift
        behaviour_name="STUB_${command^^}"; behaviour=${!behaviour_name:-ok}
        echo "stub deepimpression $command $*"
        case "$behaviour" in
          hang) sleep 600; exit 0 ;;
          fail) echo "error: stub $command failed"; exit 2 ;;
        esac
        out="" resume="" batch=32
        while [ $# -gt 0 ]; do
          case "$1" in --out) out=$2; shift ;; --resume) resume=$2; shift ;; --batch-size) batch=$2; shift ;; esac
          shift
        done
        case "$command" in
          doctor) echo "CUDA backend check"; echo "Ready: train with --device cuda." ;;
          bench)
            ms=2.5; [ "$batch" = 8 ] && ms=3.25
            printf '{\n  "MsPerExample": %s,\n  "ClipSeconds": 0.61,\n  "BackendPeakBytes": 3221225472,\n  "ConvolutionSearches": 97\n}\n' "$ms" ;;
          train)
            folder=${out:-$resume}; mkdir -p "$folder"
            loss=0.2041463926434517
            [ -n "$resume" ] && [ -n "${STUB_RESUME_DIFFERS:-}" ] && loss=0.2041463926434518
            printf 'epoch,step,train_loss,val_extraversion,val_agreeableness,val_conscientiousness,val_neuroticism,val_openness,val_mean,examples_per_second,wall_seconds\n0,4,%s,,,,,,,%s,%s\n' "$loss" "$RANDOM" "$RANDOM" > "$folder/metrics.csv"
            echo "cuDNN plan: forward x(32,3,112,112) w(32,3,7,7)"
            echo "cuDNN plan: backward-filter x(32,3,112,112) w(32,3,7,7)"
            echo "best validation accuracy (best.npz, step 160): ${STUB_BEST:-0.9114} vs mean predictor 0.8867 (+2.47 points)" ;;
        esac
        exit 0
        """;

    private const string StubRunner = """
        #!/usr/bin/env bash
        # A stub test runner: the step stage (--only FullNetworkStepAtBatch32) follows STUB_STEP, the rest STUB_PARITY:
        # ok, fail, nogpu or hang.
        echo "stub runner $*"
        behaviour=${STUB_PARITY:-ok}
        [[ " $* " == *" --only FullNetworkStepAtBatch32 "* ]] && behaviour=${STUB_STEP:-ok}
        case "$behaviour" in
          hang) sleep 600 ;;
          nogpu) echo "GPU: unavailable (No CUDA GPU: libcuda.so.1 (CUDA driver) was not found.)"; echo "0 passed, 0 failed, 0 skipped"; exit 3 ;;
          fail) echo "GPU: available"; echo "PASS A.B - 3 ms"; echo "FAIL TrainingStepParityTests.FullNetworkStepAtBatch32 - gradient of fc/W off"
                echo "1 passed, 1 failed, 0 skipped"; exit 1 ;;
          *) echo "GPU: available"; echo "PASS A.B - 3 ms"; echo "1 passed, 0 failed, 0 skipped" ;;
        esac
        """;

    private string _work = "";

    [SetUp]
    public void MakeStubs()
    {
        if (!OperatingSystem.IsLinux()) Assert.Ignore("gpu-check.sh is a Linux script.");
        if (!File.Exists(Script)) Assert.Ignore($"{Script} is not here (the tests run outside the repository).");
        _work = Path.Combine(Path.GetTempPath(), "di-gpu-check-" + Guid.NewGuid().ToString("N"));
        var bin = Path.Combine(_work, "bin");
        Directory.CreateDirectory(bin);
        foreach (var (name, text) in new[] { ("deepimpression", StubCli), ("DeepImpression.Cuda.GpuCheck", StubRunner) })
        {
            var path = Path.Combine(bin, name);
            File.WriteAllText(path, text.ReplaceLineEndings("\n") + "\n");
#pragma warning disable CA1416 // Linux only: checked above.
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
#pragma warning restore CA1416
        }
    }

    [TearDown]
    public void RemoveStubs()
    {
        if (Directory.Exists(_work)) Directory.Delete(_work, recursive: true);
    }

    private static string Script => Path.Combine(KernelSourceTests.RepositoryRoot(), "scripts", "gpu-check.sh");

    private string Output => Path.Combine(_work, "out");

    /// <summary>Runs the check with the stubs; returns its exit code, its output lines and how long it took.</summary>
    private (int Exit, string[] Lines, TimeSpan Took) Run(params (string Key, string Value)[] environment)
    {
        var start = new ProcessStartInfo("bash", [Script, "run"]) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = _work };
        start.Environment["GPU_CHECK_BIN"] = Path.Combine(_work, "bin");
        start.Environment["OUT"] = Output;
        foreach (var (key, value) in environment) start.Environment[key] = value;
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(90)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail("gpu-check.sh did not finish in 90 s");
        }
        var lines = (stdout.Result + stderr.Result).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return (process.ExitCode, lines, clock.Elapsed);
    }

    private string Log => File.ReadAllText(Path.Combine(Output, "gpu-check.log"));

    [Test]
    public void WhenEveryStagePassesTheLastLineIsPassAndTheSummaryHasTheFigures()
    {
        var (exit, lines, _) = Run();
        Assert.That(lines[^1], Is.EqualTo("gpu-check: PASS"));
        Assert.That(exit, Is.Zero);
        var log = Log;
        var stages = new[] { "doctor", "parity", "step", "bench", "train", "resume" }.Select(s => log.IndexOf($"== {s} (limit", StringComparison.Ordinal)).ToArray();
        Assert.That(stages, Has.All.GreaterThanOrEqualTo(0), "every stage ran");
        Assert.That(stages, Is.Ordered.Ascending, "in order");
        Assert.That(log, Does.Contain("2.50 ms/example at batch 32, 3.25 at batch 8, test clip 0.61 s, peak device memory 3072 MiB, 97 cuDNN searches"));
        Assert.That(log, Does.Contain("best validation accuracy 0.9114 vs mean predictor 0.8867; 2 cuDNN searches"));
        Assert.That(log, Does.Contain("the same 1 epochs of losses and accuracies bit for bit"));
        Assert.That(log, Does.Contain("--deterministic"), "the training runs are deterministic");
        Assert.That(log.TrimEnd().Split('\n')[^1], Is.EqualTo("gpu-check: PASS"), "the log ends with the verdict too");
        foreach (var stage in new[] { "doctor", "parity", "step", "bench", "train", "resume" })
            Assert.That(File.Exists(Path.Combine(Output, stage + ".log")), Is.True, $"{stage}.log");
    }

    [Test]
    public void WithoutAUsableCudaStackTheCheckStopsAfterDoctor()
    {
        var (exit, lines, _) = Run(("STUB_DOCTOR", "fail"));
        Assert.That(lines[^1], Is.EqualTo("gpu-check: FAIL (doctor: the CUDA stack is not usable: stub doctor failed)"));
        Assert.That(exit, Is.Not.Zero);
        Assert.That(Log, Does.Not.Contain("== parity"));
    }

    [Test]
    public void AHangingStageIsCutAtItsLimitAndTheLaterStagesStillRun()
    {
        var (exit, lines, took) = Run(("STUB_BENCH", "hang"), ("GPU_CHECK_TIMEOUT_BENCH", "2"));
        Assert.That(lines[^1], Is.EqualTo("gpu-check: FAIL (bench: timed out after 2 s)"));
        Assert.That(exit, Is.Not.Zero);
        Assert.That(Log, Does.Contain("== train (limit"), "a stage after the hung one ran");
        Assert.That(took, Is.LessThan(TimeSpan.FromSeconds(60)));
    }

    [Test]
    public void TheOverallBudgetBoundsTheWholeRunAndTheFirstFailureIsTheVerdict()
    {
        var (_, lines, took) = Run(("STUB_PARITY", "hang"), ("GPU_CHECK_BUDGET", "4"));
        Assert.That(lines[^1], Does.StartWith("gpu-check: FAIL (parity: timed out after"));
        Assert.That(Log, Does.Contain("no time left of the 4-second budget"));
        Assert.That(took, Is.LessThan(TimeSpan.FromSeconds(30)));
    }

    [Test]
    public void AFailedTestIsNamedInTheVerdictAndAMissingGpuIsAFailureNotASkip()
    {
        var (_, lines, _) = Run(("STUB_STEP", "fail"));
        Assert.That(lines[^1], Is.EqualTo("gpu-check: FAIL (step: 1 passed, 1 failed, 0 skipped; FAIL TrainingStepParityTests.FullNetworkStepAtBatch32 - gradient of fc/W off)"));
        (_, lines, _) = Run(("STUB_PARITY", "nogpu"), ("STUB_STEP", "nogpu"));
        Assert.That(lines[^1], Does.StartWith("gpu-check: FAIL (parity: 0 passed, 0 failed, 0 skipped; GPU: unavailable (No CUDA GPU"));
    }

    [Test]
    public void TrainingThatDoesNotBeatTheMeanPredictorOrAResumeThatDiffersFails()
    {
        var (_, lines, _) = Run(("STUB_BEST", "0.8497"));
        Assert.That(lines[^1], Is.EqualTo("gpu-check: FAIL (train: best validation accuracy 0.8497 does not beat the mean predictor 0.8867)"));
        (_, lines, _) = Run(("STUB_RESUME_DIFFERS", "1"));
        Assert.That(lines[^1], Does.StartWith("gpu-check: FAIL (resume: metrics.csv of the resumed run differs from the uninterrupted one's"));
    }
}
