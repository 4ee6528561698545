using DeepImpression.Core.Optim;
using DeepImpression.Core.Tensors;

namespace DeepImpression.Core.Tests.Optim;

[TestFixture]
public class OptimizerTests
{
    private static Tensor Parameter(float[] values, float[] grad)
    {
        var p = Tensor.FromArray(values, new Shape(values.Length));
        p.RequiresGrad = true;
        SetGrad(p, grad);
        return p;
    }

    private static void SetGrad(Tensor p, float[] grad)
    {
        p.Grad ??= Tensor.Zeros(p.Shape);
        p.Grad.CopyFrom(grad);
        p.GradIsStale = false;
    }

    [Test]
    public void Adam_matches_steps_computed_by_hand()
    {
        double alpha = 0.1, b1 = 0.5, b2 = 0.999, eps = 1e-8;
        var p = Parameter([1f, -2f], [0.5f, -0.25f]);
        var adam = new Adam([("p", p)], alpha, b1, b2, eps);
        double[][] grads = [[0.5, -0.25], [-0.2, 0.75], [0.1, 0.1]];
        double[] theta = [1, -2], m = [0, 0], v = [0, 0];
        for (int t = 1; t <= grads.Length; t++)
        {
            SetGrad(p, grads[t - 1].Select(g => (float)g).ToArray());
            adam.Step();
            double lr = alpha * Math.Sqrt(1 - Math.Pow(b2, t)) / (1 - Math.Pow(b1, t));
            for (int i = 0; i < 2; i++)
            {
                double g = grads[t - 1][i];
                m[i] += (1 - b1) * (g - m[i]);
                v[i] += (1 - b2) * (g * g - v[i]);
                theta[i] -= lr * m[i] / (Math.Sqrt(v[i]) + eps);
            }
            Assert.That(p.ToArray(), Is.EqualTo(theta.Select(x => (float)x).ToArray()).Within(1e-5), $"step {t}");
        }
        Assert.That(adam.StepCount, Is.EqualTo(3));
        var state = adam.NamedState().ToDictionary(s => s.Path, s => s.Tensor.ToArray());
        Assert.That(state["p/m"], Is.EqualTo(m.Select(x => (float)x).ToArray()).Within(1e-6));
        Assert.That(state["p/v"], Is.EqualTo(v.Select(x => (float)x).ToArray()).Within(1e-6));
    }

    [Test]
    public void Momentum_sgd_matches_steps_computed_by_hand()
    {
        var p = Parameter([0.5f], [1f]);
        var sgd = new MomentumSgd([("p", p)], learningRate: 0.1, momentum: 0.9);
        double theta = 0.5, vel = 0;
        foreach (var g in new[] { 1.0, -0.5, 2.0 })
        {
            SetGrad(p, [(float)g]);
            sgd.Step();
            vel = 0.9 * vel - 0.1 * g;
            theta += vel;
            Assert.That(p.ToArray()[0], Is.EqualTo((float)theta).Within(1e-6));
        }
    }

    [Test]
    public void Stale_gradients_are_not_applied()
    {
        var p = Parameter([1f], [1f]);
        p.GradIsStale = true;
        new Adam([("p", p)]).Step();
        Assert.That(p.ToArray()[0], Is.EqualTo(1f));
    }
}
