using DeepImpression.Core.Tensors;

namespace DeepImpression.Cuda.Tests.Parity;

/// <summary>The noise-floor yardstick on the CPU alone: a third perturbation must sit within the allowance of the
/// floor two others measure (so the allowance is not too tight for float32 noise), and a real defect far outside it.</summary>
[TestFixture]
public class NetworkNoiseFloorTests
{
    [Test]
    [Category("Slow")]
    public void AnotherOneUlpPerturbationIsWithinTheAllowanceAndAWrongWeightIsFarOutside()
    {
        var cpu = NetworkNoiseFloor.Step(Device.Cpu, 4, 8192, 64, 11);
        NetworkNoiseFloor.StepResult[] floors = [NetworkNoiseFloor.Step(Device.Cpu, 4, 8192, 64, 11, 101), NetworkNoiseFloor.Step(Device.Cpu, 4, 8192, 64, 11, 102)];
        NetworkNoiseFloor.AssertWithinFloor(cpu, floors, NetworkNoiseFloor.Step(Device.Cpu, 4, 8192, 64, 11, 103), "a third perturbation");

        var defect = NetworkNoiseFloor.Step(Device.Cpu, 4, 8192, 64, 11);
        var gradient = defect.Gradients["vis/res3a_relu/res_branch2a/W"];
        gradient[0] += 1e-3f * (float)gradient.Max(MathF.Abs);   // one element off by a thousandth of the tensor's scale
        Assert.Throws<AssertionException>(() => NetworkNoiseFloor.AssertWithinFloor(cpu, floors, defect, "a defect"));
    }
}
