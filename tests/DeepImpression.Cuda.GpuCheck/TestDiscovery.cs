using System.Collections;
using System.Reflection;

namespace DeepImpression.Cuda.GpuCheck;

/// <summary>Finds NUnit tests by their attributes: [Test], [TestCase(...)] and [TestCaseSource(name)].</summary>
internal static class TestDiscovery
{
    public static IEnumerable<Type> Fixtures(Assembly assembly) =>
        assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false } && Methods(t).Any())
            .OrderBy(t => t.FullName, StringComparer.Ordinal);

    public static IEnumerable<RunnableTest> Cases(Type fixture)
    {
        foreach (var method in Methods(fixture))
        {
            var baseName = $"{fixture.Name}.{method.Name}";
            if (method.GetCustomAttribute<TestAttribute>() is not null)
                yield return new RunnableTest(fixture, method, [], baseName);
            foreach (var testCase in method.GetCustomAttributes<TestCaseAttribute>())
                yield return new RunnableTest(fixture, method, testCase.Arguments, $"{baseName}({string.Join(", ", testCase.Arguments)})");
            foreach (var source in method.GetCustomAttributes<TestCaseSourceAttribute>())
            {
                foreach (var item in SourceItems(fixture, source.SourceName!))
                {
                    var (arguments, name) = item switch
                    {
                        TestCaseData data => (data.Arguments, data.TestName ?? string.Join(", ", data.Arguments)),
                        object?[] array => (array, string.Join(", ", array)),
                        _ => (new[] { item }, item?.ToString() ?? "null"),
                    };
                    yield return new RunnableTest(fixture, method, arguments, $"{baseName}({name})");
                }
            }
        }
    }

    private static IEnumerable<MethodInfo> Methods(Type fixture) =>
        fixture.GetMethods(BindingFlags.Instance | BindingFlags.Public)
            .Where(m => m.GetCustomAttribute<TestAttribute>() is not null
                     || m.GetCustomAttributes<TestCaseAttribute>().Any()
                     || m.GetCustomAttributes<TestCaseSourceAttribute>().Any());

    private static IEnumerable<object?> SourceItems(Type fixture, string name)
    {
        const BindingFlags all = BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.FlattenHierarchy;
        object? value = fixture.GetMethod(name, all)?.Invoke(null, null)
                        ?? fixture.GetProperty(name, all)?.GetValue(null)
                        ?? fixture.GetField(name, all)?.GetValue(null)
                        ?? throw new InvalidOperationException($"{fixture.Name}: no static test case source '{name}'.");
        return ((IEnumerable)value).Cast<object?>();
    }
}
