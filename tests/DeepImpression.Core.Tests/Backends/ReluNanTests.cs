using DeepImpression.Core.Backends;
using DeepImpression.Core.Tensors;

namespace DeepImpression.Core.Tests.Backends;

/// <summary>A NaN must survive ReLU (numpy's maximum and cuDNN's PROPAGATE_NAN do the same), so that a diverged run shows up in its loss.</summary>
[TestFixture]
public class ReluNanTests
{
    [Test]
    public void Relu_passes_nan_through_in_the_vector_body_and_the_tail()
    {
        var values = Enumerable.Range(0, 37).Select(i => (float)(i % 3 == 0 ? -i : i)).ToArray();
        foreach (int i in new[] { 0, 5, 17, 33, 36 }) values[i] = float.NaN;
        var x = Tensor.FromArray(values, new Shape(values.Length));
        var y = Tensor.Empty(x.Shape);
        BackendRegistry.Get(Device.Cpu).ActivationForward(ActivationMode.Relu, x, y);
        var result = y.ToArray();
        for (int i = 0; i < values.Length; i++)
        {
            if (float.IsNaN(values[i])) Assert.That(result[i], Is.NaN, $"element {i}");
            else Assert.That(result[i], Is.EqualTo(Math.Max(values[i], 0f)), $"element {i}");
        }
    }
}
