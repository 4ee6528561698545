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

    private static float? Parse(string? text) =>
        string.IsNullOrWhiteSpace(text) ? null
        : text.Trim().Equals("nan", StringComparison.OrdinalIgnoreCase) ? float.NaN
        : float.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var v) ? v
        : throw new InvalidInputException($"DEEPIMPRESSION_FILL_FRESH_MEMORY={text}: expected 'nan' or a number.");
}
