using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace DeepImpression.Core.Backends.Cpu.Kernels;

/// <summary>The instruction sets the CPU kernels can use, widest first.</summary>
public enum SimdLevel
{
    /// <summary>Plain scalar C#: runs anywhere.</summary>
    Portable,
    /// <summary>256-bit vectors with fused multiply-add (AVX2 + FMA3).</summary>
    Avx2,
    /// <summary>512-bit vectors (AVX-512F).</summary>
    Avx512,
}

/// <summary>
/// Picks the widest kernels the CPU runs. Tests force a narrower level with <see cref="Force"/> so that every
/// path is checked on a machine that has them all.
/// </summary>
internal static class CpuIsa
{
    public static SimdLevel Detected { get; } =
        Avx512F.IsSupported && Vector512.IsHardwareAccelerated ? SimdLevel.Avx512
        : Avx2.IsSupported && Fma.IsSupported ? SimdLevel.Avx2
        : SimdLevel.Portable;

    /// <summary>The level the kernels use now (read in every kernel, so a plain field).</summary>
    public static SimdLevel Level = Detected;

    /// <summary>Restricts the kernels to <paramref name="level"/> (never wider than the CPU) until the result is disposed.</summary>
    public static IDisposable Force(SimdLevel level)
    {
        var previous = Level;
        Level = level < Detected ? level : Detected;
        return new Restore(previous);
    }

    public static string Describe() => Detected switch
    {
        SimdLevel.Avx512 => "AVX-512",
        SimdLevel.Avx2 => "AVX2+FMA",
        _ => "scalar",
    };

    private sealed class Restore(SimdLevel previous) : IDisposable
    {
        public void Dispose() => Level = previous;
    }
}
