namespace DeepImpression.Core.Backends.Cpu;

/// <summary>
/// How many threads the process's CPU backend (<see cref="CpuBackend.Instance"/>) computes with: all cores unless set before its first use, by
/// <see cref="Set"/> or the DEEPIMPRESSION_THREADS environment variable. The pool is sized once, so later changes
/// would silently do nothing; <see cref="Set"/> refuses them instead.
/// </summary>
public static class CpuThreads
{
    private static int _requested;
    private static bool _started;

    /// <summary>Sets the thread count of the process's CPU backend; must come before its first use (or repeat the count already in use), otherwise it throws.</summary>
    public static void Set(int threads)
    {
        if (threads < 1) throw new ArgumentOutOfRangeException(nameof(threads), "at least one thread");
        if (_started && threads != Resolved)
            throw new InvalidOperationException($"The CPU backend already runs with {Resolved} threads; set the thread count before the first tensor is made.");
        _requested = threads;
    }

    /// <summary>The count the pool uses; fixed from its first read.</summary>
    public static int Resolved { get; private set; }

    internal static int Start()
    {
        if (_started) return Resolved;
        int n = _requested;
        if (n == 0 && int.TryParse(Environment.GetEnvironmentVariable("DEEPIMPRESSION_THREADS"), out var fromEnvironment) && fromEnvironment > 0)
            n = fromEnvironment;
        Resolved = n > 0 ? n : Math.Max(1, Environment.ProcessorCount);
        _started = true;
        return Resolved;
    }
}
