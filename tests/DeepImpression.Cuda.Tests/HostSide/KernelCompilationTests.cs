using DeepImpression.Cuda.Kernels;

namespace DeepImpression.Cuda.Tests.HostSide;

[TestFixture]
public class KernelCompilationTests
{
    private static readonly CompileTarget Sm90 = new(90, Cubin: true);

    [Test]
    public void TheCacheFileNameIsStableForTheSameInputsAndChangesWithEachOfThem()
    {
        string Name(string source = "k", string[]? options = null, CompileTarget? target = null, (int, int)? version = null) =>
            KernelCacheKey.FileName("pooling", source, options ?? ["--gpu-architecture=sm_90"], target ?? Sm90, version ?? (12, 6));

        var baseline = Name();
        Assert.That(Name(), Is.EqualTo(baseline));
        Assert.That(baseline, Does.Match(@"^pooling-sm_90-nvrtc12\.6-[0-9a-f]{16}\.cubin$"));
        var variants = new[]
        {
            Name(source: "k "), Name(options: ["--gpu-architecture=sm_90", "-lineinfo"]), Name(target: new CompileTarget(90, false)),
            Name(target: new CompileTarget(86, true)), Name(version: (12, 8)), Name(version: (13, 0)),
        };
        Assert.That(variants, Has.None.EqualTo(baseline));
        Assert.That(variants, Is.Unique);
        Assert.That(Name(target: new CompileTarget(80, false)), Does.EndWith(".ptx").And.Contain("compute_80"));
    }

    [Test]
    public void TheCacheFileNameHashIsFnv1aOfTheIdentityTheSameOnEveryRunAndMachine()
    {
        // The published FNV-1a 64 test vectors (draft-eastlake-fnv): the hash is the algorithm, not this process's.
        Assert.That(Fnv1a64.Hash([]), Is.EqualTo(0xcbf29ce484222325UL));
        Assert.That(Fnv1a64.Hash("a"u8), Is.EqualTo(0xaf63dc4c8601ec8cUL));
        Assert.That(Fnv1a64.Hash("foobar"u8), Is.EqualTo(0x85944171f73967e8UL));
        // A fixed identity gives a fixed name: a kernel compiled on one machine is found under the same name on any other.
        var identity = "pooling\nsm_90\n12.6\n--gpu-architecture=sm_90\nk";
        Assert.That(KernelCacheKey.FileName("pooling", "k", ["--gpu-architecture=sm_90"], Sm90, (12, 6)),
            Is.EqualTo($"pooling-sm_90-nvrtc12.6-{Fnv1a64.Hash(System.Text.Encoding.UTF8.GetBytes(identity)):x16}.cubin"));
    }

    [Test]
    public void TheCacheFolderFollowsTheVariablesInOrder()
    {
        Assert.That(KernelCacheKey.Directory(k => k switch { "DEEPIMPRESSION_KERNEL_CACHE" => "/k", "XDG_CACHE_HOME" => "/x", "HOME" => "/h", _ => null }), Is.EqualTo("/k"));
        Assert.That(KernelCacheKey.Directory(k => k switch { "XDG_CACHE_HOME" => "/x", "HOME" => "/h", _ => null }), Is.EqualTo("/x/deepimpression/kernels"));
        Assert.That(KernelCacheKey.Directory(k => k == "HOME" ? "/h" : null), Is.EqualTo("/h/.cache/deepimpression/kernels"));
    }

    [Test]
    public void AKnownArchitectureGetsACubinAndANewerGpuGetsPtxForTheNewestOlderArchitecture()
    {
        int[] supported = [75, 80, 86, 89, 90];
        Assert.That(CompileTarget.Choose(86, supported, "12.6"), Is.EqualTo(new CompileTarget(86, true)));
        Assert.That(CompileTarget.Choose(86, supported, "12.6").ArchitectureOption, Is.EqualTo("--gpu-architecture=sm_86"));
        var future = CompileTarget.Choose(120, supported, "12.6");
        Assert.That(future, Is.EqualTo(new CompileTarget(90, false)));
        Assert.That(future.ArchitectureOption, Is.EqualTo("--gpu-architecture=compute_90"));
        Assert.That(CompileTarget.Choose(87, supported, "12.6"), Is.EqualTo(new CompileTarget(86, false)));
    }

    [Test]
    public void AGpuOlderThanEveryArchitectureIsRefusedWithAClearReason()
    {
        var e = Assert.Throws<NotSupportedException>(() => CompileTarget.Choose(37, [75, 80, 90], "13.0"))!;
        Assert.That(e.Message, Does.Contain("sm_37").And.Contain("sm_75 to sm_90").And.Contain("NVRTC 13.0"));
    }

    [Test]
    public void LaunchesCoverEveryElementUpToTheGridCapAndEmptyRangesLaunchNothing()
    {
        Assert.That(LaunchConfiguration.ForElements(0).Blocks, Is.Zero);
        Assert.That(LaunchConfiguration.ForElements(1), Is.EqualTo(new LaunchConfiguration(1, 256)));
        Assert.That(LaunchConfiguration.ForElements(256).Blocks, Is.EqualTo(1));
        Assert.That(LaunchConfiguration.ForElements(257).Blocks, Is.EqualTo(2));
        Assert.That(LaunchConfiguration.ForElements(1L << 30).Blocks, Is.EqualTo(65535));
        Assert.That(CudaBackend.ReductionBlocks(1), Is.EqualTo(1));
        Assert.That(CudaBackend.ReductionBlocks(256 * 10 + 1), Is.EqualTo(11));
        Assert.That(CudaBackend.ReductionBlocks(1L << 30), Is.EqualTo(1024));
    }

    [Test]
    public void ArgumentsSitInTheLowBytesOfTheirSlot()
    {
        Assert.That(KernelArgument.Int(-1).Bits, Is.EqualTo(0xFFFF_FFFFUL));
        Assert.That(KernelArgument.Float(1f).Bits, Is.EqualTo(0x3F80_0000UL));
        Assert.That(KernelArgument.Double(1.0).Bits, Is.EqualTo(0x3FF0_0000_0000_0000UL));
        Assert.That(KernelArgument.Pointer(0x7f00_1234_5678UL).Bits, Is.EqualTo(0x7f00_1234_5678UL));
        Assert.That(KernelArgument.Float(1f).Kind, Is.EqualTo(KernelParameterKind.Float));
    }
}
