using System.Globalization;

namespace DeepImpression.Cuda.Dnn;

/// <summary>
/// One algorithm search and its outcome: the shape searched (its batch size as first seen), every candidate cuDNN's
/// Find reported, the choice, the rule that made it, the workspace limit it was made under and how long the search
/// took. Printed by <see cref="ConvolutionPlan.Describe"/>.
/// </summary>
internal sealed record ConvolutionPlanEntry(
    ConvolutionKey Key, IReadOnlyList<ConvolutionCandidate> Candidates, ConvolutionChoice Choice, string Rule, long WorkspaceLimitBytes,
    double SearchMilliseconds)
{
    public string Describe()
    {
        var name = ConvolutionAlgorithmCatalog.Name(Key.Direction, Choice.Algorithm);
        var candidates = ConvolutionPolicy.Describe(Key.Direction, Candidates);
        return string.Create(CultureInfo.InvariantCulture,
            $"{Key}: {name} ({Choice.MathType}, workspace {Choice.WorkspaceBytes / 1048576.0:F1} MiB); {Rule}; searched in {SearchMilliseconds:F0} ms within {WorkspaceLimitBytes / 1048576} MiB; candidates: {candidates}");
    }
}
