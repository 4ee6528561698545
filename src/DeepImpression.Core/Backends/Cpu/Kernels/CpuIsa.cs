using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace DeepImpression.Core.Backends.Cpu.Kernels;

/// <summary>
/// What the CPU runs. A backend uses the widest level unless its options ask for a narrower one
/// (<see cref="CpuBackendOptions.Isa"/>), which tests do so that every path is checked on a machine that has them all.
/// </summary>
internal static class CpuIsa
{
    public static SimdLevel Detected { get; } =
        Avx512F.IsSupported && Vector512.IsHardwareAccelerated ? SimdLevel.Avx512
        : Avx2.IsSupported && Fma.IsSupported ? SimdLevel.Avx2
        : SimdLevel.Portable;

    /// <summary>The level a backend asking for <paramref name="requested"/> gets: never wider than the CPU.</summary>
    public static SimdLevel Usable(SimdLevel? requested) => requested is { } level && level < Detected ? level : Detected;

    public static string Describe(SimdLevel level) => level switch
    {
        SimdLevel.Avx512 => "AVX-512",
        SimdLevel.Avx2 => "AVX2+FMA",
        _ => "scalar",
    };
}
