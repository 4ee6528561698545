namespace DeepImpression.Core.Backends.Cpu;

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
