namespace DeepImpression.Core.Backends.Cpu.Kernels;

/// <summary>
/// What every CPU kernel runs with, fixed when its backend is built: the instruction set it may use and the pool of
/// cores (with their scratch) it spreads work over. Kernels read these from here, never from globals.
/// </summary>
internal sealed class CpuContext
{
    public CpuContext(SimdLevel isa, CpuWorkers workers)
    {
        Isa = isa;
        Workers = workers;
        Gemm = new Sgemm(this);
    }

    public SimdLevel Isa { get; }
    public CpuWorkers Workers { get; }

    /// <summary>Single-precision GEMM on this context.</summary>
    public Sgemm Gemm { get; }

    /// <summary>Worker <paramref name="worker"/>'s area of <paramref name="slot"/>.</summary>
    public PinnedScratch Scratch(PerWorkerScratch slot, int worker) => Workers.Scratch(slot, worker);
}
