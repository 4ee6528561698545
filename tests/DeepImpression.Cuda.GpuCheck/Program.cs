using System.Diagnostics;
using System.Reflection;
using DeepImpression.Cuda.GpuCheck;
using DeepImpression.Cuda.Tests.Gpu;
using NUnit.Framework.Interfaces;

// A minimal NUnit runner for machines without the .NET SDK: runs every test of DeepImpression.Cuda.Tests (the GPU
// parity suite and the host-side checks), honouring [OneTimeSetUp]/[SetUp]/[TearDown] and Assert.Ignore, and ends
// with the line "N passed, N failed, N skipped" (exit 1 when a test failed). Arguments: see RunnerArguments.

RunnerArguments options;
try
{
    options = RunnerArguments.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 2;
}
var assembly = typeof(GpuTestBase).Assembly;
int passed = 0, failed = 0, skipped = 0;
var clock = Stopwatch.StartNew();
Console.WriteLine(GpuTestBase.UnavailableReason is { } why ? $"GPU: unavailable ({why})" : "GPU: available");
if (options.RequireGpu && GpuTestBase.UnavailableReason is not null)
{
    Console.WriteLine("0 passed, 0 failed, 0 skipped");
    return 3;
}

foreach (var fixtureType in TestDiscovery.Fixtures(assembly))
{
    var cases = TestDiscovery.Cases(fixtureType).Where(c => options.Selects(c.Name)).ToList();
    if (cases.Count == 0) continue;
    var fixture = Activator.CreateInstance(fixtureType)!;
    var (setupOutcome, setupMessage) = Invoke(fixture, Hooks<OneTimeSetUpAttribute>(fixtureType), []);
    if (setupOutcome != Outcome.Passed)
    {
        foreach (var c in cases) Report(c.Name, setupOutcome, "one-time set-up: " + setupMessage);
        continue;
    }
    foreach (var c in cases)
    {
        var (outcome, message) = Invoke(fixture, Hooks<SetUpAttribute>(fixtureType), []);
        if (outcome == Outcome.Passed)
        {
            var watch = Stopwatch.StartNew();
            (outcome, message) = Invoke(fixture, [c.Method], c.Arguments);
            var (tearOutcome, tearMessage) = Invoke(fixture, Hooks<TearDownAttribute>(fixtureType), []);
            if (outcome == Outcome.Passed && tearOutcome == Outcome.Failed) (outcome, message) = (tearOutcome, "tear-down: " + tearMessage);
            message = outcome == Outcome.Passed ? $"{watch.Elapsed.TotalMilliseconds:F0} ms" : message;
        }
        Report(c.Name, outcome, message);
    }
    Invoke(fixture, Hooks<OneTimeTearDownAttribute>(fixtureType), []);
    (fixture as IDisposable)?.Dispose();
}

Console.WriteLine($"Ran in {clock.Elapsed.TotalSeconds:F1} s.");
Console.WriteLine($"{passed} passed, {failed} failed, {skipped} skipped");
return failed > 0 ? 1 : 0;

void Report(string name, Outcome outcome, string? message)
{
    switch (outcome)
    {
        case Outcome.Passed: passed++; break;
        case Outcome.Failed: failed++; break;
        default: skipped++; break;
    }
    var label = outcome switch { Outcome.Passed => "PASS", Outcome.Failed => "FAIL", _ => "SKIP" };
    Console.WriteLine($"{label} {name}{(string.IsNullOrEmpty(message) ? "" : " - " + message)}");
}

static IEnumerable<MethodInfo> Hooks<T>(Type fixture) where T : Attribute =>
    fixture.GetMethods(BindingFlags.Instance | BindingFlags.Static | BindingFlags.Public)
        .Where(m => m.GetCustomAttribute<T>() is not null)
        .OrderBy(m => Depth(m.DeclaringType!)); // base-class hooks first, as NUnit runs them

static int Depth(Type t)
{
    int depth = 0;
    for (var b = t.BaseType; b is not null; b = b.BaseType) depth++;
    return depth;
}

static (Outcome, string?) Invoke(object fixture, IEnumerable<MethodInfo> methods, object?[] arguments)
{
    foreach (var method in methods)
    {
        try
        {
            var result = method.Invoke(method.IsStatic ? null : fixture, arguments);
            if (result is Task task) task.GetAwaiter().GetResult();
        }
        catch (Exception e)
        {
            var inner = e is TargetInvocationException { InnerException: { } i } ? i : e;
            return inner switch
            {
                SuccessException => (Outcome.Passed, null),
                IgnoreException or InconclusiveException => (Outcome.Skipped, inner.Message),
                AssertionException => (Outcome.Failed, inner.Message),
                _ => (Outcome.Failed, $"{inner.GetType().Name}: {inner.Message}\n{inner.StackTrace}"),
            };
        }
    }
    return (Outcome.Passed, null);
}

internal enum Outcome { Passed, Failed, Skipped }
