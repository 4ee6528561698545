namespace DeepImpression.Cuda.Kernels;

/// <summary>
/// The 64-bit FNV-1a hash (Fowler, Noll and Vo): a non-cryptographic hash that needs no native library and gives the
/// same value on every run and machine (unlike <see cref="string.GetHashCode()"/>, which is randomized per process).
/// Good enough to name cache files, where a collision costs a wrong cache hit only among a handful of files and
/// nobody benefits from forging one.
/// </summary>
internal static class Fnv1a64
{
    public const ulong OffsetBasis = 0xcbf29ce484222325;
    public const ulong Prime = 0x100000001b3;

    public static ulong Hash(ReadOnlySpan<byte> data)
    {
        ulong hash = OffsetBasis;
        foreach (var b in data)
        {
            hash ^= b;
            hash = unchecked(hash * Prime);
        }
        return hash;
    }
}
