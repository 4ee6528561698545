using System.Text.RegularExpressions;
using DeepImpression.Cuda.Kernels;

namespace DeepImpression.Cuda.Tests.HostSide;

/// <summary>Reads the extern "C" __global__ kernels and their parameter types out of CUDA C source text.</summary>
internal static partial class CudaSourceSignatures
{
    [GeneratedRegex(@"extern\s+""C""\s+__global__\s+void\s+(\w+)\s*\(([^)]*)\)", RegexOptions.Singleline)]
    private static partial Regex KernelDeclaration();

    public static IEnumerable<KernelSignature> Parse(string module, string source)
    {
        foreach (Match m in KernelDeclaration().Matches(source))
        {
            var parameters = m.Groups[2].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(p => Kind(p, m.Groups[1].Value)).ToArray();
            yield return new KernelSignature(module, m.Groups[1].Value, parameters);
        }
    }

    private static KernelParameterKind Kind(string declaration, string kernel)
    {
        var type = Regex.Replace(declaration, @"\s+\w+$", "").Replace("const", "").Trim();
        if (type.EndsWith('*')) return KernelParameterKind.Pointer;
        return type switch
        {
            "int" => KernelParameterKind.Int,
            "float" => KernelParameterKind.Float,
            "double" => KernelParameterKind.Double,
            _ => throw new FormatException($"{kernel}: parameter '{declaration}' has a type the launcher does not support"),
        };
    }
}
