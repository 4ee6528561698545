using DeepImpression.Cuda.Interop;
using DeepImpression.Train.Commands;

namespace DeepImpression.Train.Tests.Commands;

[TestFixture]
public class DoctorCommandTests
{
    [Test]
    public void WithoutTheDriverDoctorSaysWhatIsMissingAndWhereItLookedAndFailsWithoutAStackTrace()
    {
        if (CudaLibraries.Load(CudaLibrary.Driver).IsLoaded) Assert.Ignore("libcuda.so.1 loads on this machine: the missing-driver report cannot be observed.");
        var output = new StringWriter();
        var errors = new StringWriter();

        int exit = DoctorCommand.Run(output, errors);

        Assert.That(exit, Is.Not.Zero);
        Assert.That(output.ToString(), Does.Contain("CUDA driver").And.Contain("not found"));
        Assert.That(errors.ToString(), Does.Contain("error: libcuda.so.1 (CUDA driver) was not found. Looked in "));
        Assert.That(errors.ToString(), Does.Contain("/usr/local/cuda/lib64").And.Contain("DEEPIMPRESSION_CUDA_PATH"));
        Assert.That(errors.ToString() + output, Does.Not.Contain("   at "), "no stack trace");
    }

    [Test]
    public void TheCommandIsRegistered()
    {
        Assert.That(CommandCatalog.All().Select(c => c.Name), Does.Contain("doctor"));
    }
}
