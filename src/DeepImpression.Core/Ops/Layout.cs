using DeepImpression.Core.Autograd;
using DeepImpression.Core.Tensors;

namespace DeepImpression.Core.Ops;

public static partial class Op
{
    /// <summary>The same values under another shape of equal element count (a view: no copy).</summary>
    public static Tensor Reshape(Tensor x, Shape shape)
    {
        Check.That(shape.Count == x.Count, "Reshape", () => $"cannot reshape {x.Shape} ({x.Count} elements) to {shape} ({shape.Count}).");
        var y = x.View(shape);
        return Backprop.Record(y, "Reshape", [x], dy => [dy.View(x.Shape)]);
    }

    /// <summary>The inputs side by side along <paramref name="axis"/>; all other dimensions must agree.</summary>
    public static Tensor Concat(IReadOnlyList<Tensor> inputs, int axis)
    {
        const string op = "Concat";
        Check.That(inputs.Count > 0, op, () => "no inputs.");
        var first = inputs[0];
        if (axis < 0) axis += first.Rank;
        Check.That(axis >= 0 && axis < first.Rank, op, () => $"axis {axis} is out of range for {first.Shape}.");
        Check.SameDevice(op, [.. inputs]);
        int total = 0;
        foreach (var t in inputs)
        {
            Check.That(t.Rank == first.Rank && Enumerable.Range(0, t.Rank).All(d => d == axis || t.Dim(d) == first.Dim(d)), op,
                () => $"shapes {string.Join(", ", inputs.Select(i => i.Shape))} differ outside axis {axis}.");
            total += t.Dim(axis);
        }
        var y = Tensor.Empty(first.Shape.With(axis, total), first.Device);
        first.Backend.Concat(inputs, axis, y);
        var captured = inputs.ToArray();
        return Backprop.Record(y, op, captured, dy =>
        {
            var parts = captured.Select(t => Tensor.Empty(t.Shape, t.Device)).ToArray();
            first.Backend.Split(dy, axis, parts);
            return parts;
        });
    }
}
