namespace DeepImpression.Core.Backends.Cpu;

/// <summary>
/// A debugging switch, off by default: fill every array the CPU backend hands out (pooled tensor memory and
/// kernel scratch) with one value before use, as cuda-memcheck's initcheck or PyTorch's
/// <c>fill_uninitialized_memory</c> do. Results must not change with it: a kernel that reads memory it has not
/// written would otherwise depend on what the pool or the garbage collector left there, and runs with the same
/// seed would differ. Set <c>DEEPIMPRESSION_FILL_FRESH_MEMORY=nan</c> (or a number) to turn it on for a process.
/// </summary>
internal static class FreshMemoryFill
{
    /// <summary>The fill value, or null for no fill.</summary>
    public static float? Value { get; set; } = Parse(Environment.GetEnvironmentVariable("DEEPIMPRESSION_FILL_FRESH_MEMORY"));

    public static void Apply(Span<float> memory)
    {
        if (Value is { } value) memory.Fill(value);
    }

    /// <summary>The value a setting asks for: null when unset, or, with a warning, when it is not 'nan' or a number
    /// (a debugging switch must not stop a run, nor fail as a type initializer would).</summary>
    internal static float? Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        text = text.Trim();
        if (text.Equals("nan", StringComparison.OrdinalIgnoreCase)) return float.NaN;
        if (float.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var value)) return value;
        Console.Error.WriteLine($"warning: DEEPIMPRESSION_FILL_FRESH_MEMORY={text}: expected 'nan' or a number; fresh memory is not filled.");
        return null;
    }
}
