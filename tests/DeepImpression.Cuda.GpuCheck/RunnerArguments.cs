namespace DeepImpression.Cuda.GpuCheck;

/// <summary>
/// The runner's command line: <c>--only TEXT</c> (repeatable; a bare TEXT means the same) keeps the tests whose name
/// contains one of the texts, <c>--except TEXT</c> (repeatable) drops those containing one, and <c>--require-gpu</c>
/// makes a machine without a usable GPU a failure (exit 3) instead of a run of skips.
/// </summary>
internal sealed record RunnerArguments(IReadOnlyList<string> Only, IReadOnlyList<string> Except, bool RequireGpu)
{
    public static RunnerArguments Parse(IReadOnlyList<string> args)
    {
        var only = new List<string>();
        var except = new List<string>();
        bool requireGpu = false;
        for (int i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--require-gpu": requireGpu = true; break;
                case "--only" when i + 1 < args.Count: only.Add(args[++i]); break;
                case "--except" when i + 1 < args.Count: except.Add(args[++i]); break;
                case var text when !text.StartsWith("--", StringComparison.Ordinal): only.Add(text); break;
                default: throw new ArgumentException($"unknown argument '{args[i]}' (use --only TEXT, --except TEXT, --require-gpu)");
            }
        }
        return new RunnerArguments(only, except, requireGpu);
    }

    public bool Selects(string testName) =>
        (Only.Count == 0 || Only.Any(t => testName.Contains(t, StringComparison.OrdinalIgnoreCase)))
        && !Except.Any(t => testName.Contains(t, StringComparison.OrdinalIgnoreCase));
}
