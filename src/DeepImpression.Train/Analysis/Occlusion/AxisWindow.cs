namespace DeepImpression.Train.Analysis.Occlusion;

/// <summary>
/// How a sliding-window layer (convolution or pooling) maps positions along one axis: output o reads inputs
/// [o·stride − pad, o·stride − pad + kernel). That gives both directions incremental inference needs: which outputs
/// a changed input interval reaches, and which input window an output interval reads.
/// </summary>
internal readonly record struct AxisWindow(int Kernel, int Stride, int Pad, int InputSize, int OutputSize)
{
    /// <summary>The outputs whose window meets <paramref name="input"/> (within the output's size).</summary>
    public Interval Reach(Interval input)
    {
        if (input.IsEmpty) return default;
        int first = FloorDivide(input.Start + Pad - Kernel, Stride) + 1;
        int last = FloorDivide(input.End - 1 + Pad, Stride);
        return new Interval(Math.Max(0, first), Math.Min(OutputSize, last + 1));
    }

    /// <summary>The first input cell (may be negative: padding) that output <paramref name="output"/> reads.</summary>
    public int WindowStart(int output) => output * Stride - Pad;

    /// <summary>Input cells that <paramref name="outputs"/> consecutive outputs read together.</summary>
    public int WindowLength(int outputs) => (outputs - 1) * Stride + Kernel;

    private static int FloorDivide(int a, int b) => a >= 0 ? a / b : -((-a + b - 1) / b);
}
