namespace DeepImpression.Cuda.Kernels;

/// <summary>A kernel of kernels/<see cref="Module"/>.cu: its extern "C" name and parameter types, checked at every launch.</summary>
internal sealed record KernelSignature(string Module, string Name, IReadOnlyList<KernelParameterKind> Parameters)
{
    public override string ToString() => $"{Module}.cu:{Name}({string.Join(", ", Parameters)})";
}
