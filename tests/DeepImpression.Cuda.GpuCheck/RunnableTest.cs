using System.Reflection;

namespace DeepImpression.Cuda.GpuCheck;

/// <summary>One runnable test: a method of a fixture with its arguments and a display name.</summary>
internal sealed record RunnableTest(Type Fixture, MethodInfo Method, object?[] Arguments, string Name);
