namespace DeepImpression.Cuda.Kernels;

/// <summary>The C type of one kernel parameter, as written in kernels/*.cu.</summary>
internal enum KernelParameterKind
{
    /// <summary><c>float*</c>, <c>const float*</c>, <c>double*</c>: a 64-bit device address.</summary>
    Pointer,
    /// <summary><c>int</c></summary>
    Int,
    /// <summary><c>float</c></summary>
    Float,
    /// <summary><c>double</c></summary>
    Double,
}

/// <summary>
/// One kernel argument, held in 8 bytes. cuLaunchKernel copies each parameter's own size from the address it is
/// given, so a 4-byte int or float sits in the low half (x86-64 is little-endian).
/// </summary>
internal readonly struct KernelArgument
{
    private KernelArgument(ulong bits, KernelParameterKind kind)
    {
        Bits = bits;
        Kind = kind;
    }

    public ulong Bits { get; }
    public KernelParameterKind Kind { get; }

    public static KernelArgument Pointer(ulong address) => new(address, KernelParameterKind.Pointer);
    public static KernelArgument Int(int value) => new((uint)value, KernelParameterKind.Int);
    public static KernelArgument Float(float value) => new(BitConverter.SingleToUInt32Bits(value), KernelParameterKind.Float);
    public static KernelArgument Double(double value) => new(BitConverter.DoubleToUInt64Bits(value), KernelParameterKind.Double);
}
