using DeepImpression.Core.Autograd;
using DeepImpression.Core.Ops;
using DeepImpression.Core.Tensors;

namespace DeepImpression.Core.Tests.Autograd;

[TestFixture]
public class BackpropTests
{
    [Test]
    public void A_value_used_twice_gets_both_gradients()
    {
        var x = Tensor.FromArray([1f, -2f, 3f], new Shape(3));
        x.RequiresGrad = true;
        // L = Σ (x + x)·1 + Σ 3x  ->  dL/dx = 2 + 3 = 5 everywhere.
        var twice = Op.Add(x, x);
        var loss = Op.Add(Op.Sum(twice), Op.Sum(Op.Scale(x, 3f)));
        loss.Backward();
        Assert.That(x.Grad!.ToArray(), Is.EqualTo(new[] { 5f, 5f, 5f }));
    }

    [Test]
    public void Gradients_accumulate_across_backward_calls_until_zeroed()
    {
        var x = Tensor.FromArray([1f, 2f], new Shape(2));
        x.RequiresGrad = true;
        Op.Sum(Op.Scale(x, 2f)).Backward();
        Op.Sum(Op.Scale(x, 3f)).Backward();
        Assert.That(x.Grad!.ToArray(), Is.EqualTo(new[] { 5f, 5f }));
        x.GradIsStale = true;
        Op.Sum(Op.Scale(x, 4f)).Backward();
        Assert.That(x.Grad!.ToArray(), Is.EqualTo(new[] { 4f, 4f }));
    }

    [Test]
    public void NoGrad_records_nothing()
    {
        var x = Tensor.FromArray([1f, 2f], new Shape(2));
        x.RequiresGrad = true;
        Tensor y;
        using (Backprop.NoGrad()) y = Op.Relu(Op.Scale(x, 2f));
        Assert.That(y.Node, Is.Null);
        Assert.That(y.TracksGradient, Is.False);
        Assert.Throws<InvalidOperationException>(() => Op.Sum(y).Backward());
        var recorded = Op.Relu(Op.Scale(x, 2f));
        Assert.That(recorded.Node, Is.Not.Null);
        Assert.That(recorded.Node!.OpName, Is.EqualTo("Relu"));
    }

    [Test]
    public void Backward_needs_a_scalar()
    {
        var x = Tensor.FromArray([1f, 2f], new Shape(2));
        x.RequiresGrad = true;
        var ex = Assert.Throws<InvalidOperationException>(() => Op.Scale(x, 2f).Backward());
        Assert.That(ex!.Message, Does.Contain("(2)"));
    }

    [Test]
    public void Inputs_that_need_no_gradient_get_none()
    {
        var x = Tensor.FromArray([1f, 2f], new Shape(2));
        var w = Tensor.FromArray([3f, 4f], new Shape(2));
        w.RequiresGrad = true;
        Op.Sum(Op.Add(x, w)).Backward();
        Assert.That(x.Grad, Is.Null);
        Assert.That(w.Grad!.ToArray(), Is.EqualTo(new[] { 1f, 1f }));
    }

    [Test]
    public void A_scope_disposes_the_tensors_made_inside_it_but_not_what_it_hands_out()
    {
        Tensor inner, kept;
        using (var scope = TensorScope.Begin())
        {
            inner = Tensor.Zeros(new Shape(4));
            kept = scope.MoveToOuter(Tensor.Ones(new Shape(4)));
        }
        Assert.That(inner.IsDisposed, Is.True);
        Assert.That(kept.IsDisposed, Is.False);
        Assert.Throws<ObjectDisposedException>(() => inner.ToArray());
        kept.Dispose();
    }
}
