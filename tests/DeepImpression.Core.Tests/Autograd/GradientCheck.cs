using DeepImpression.Core.Autograd;
using DeepImpression.Core.Ops;
using DeepImpression.Core.Tensors;

namespace DeepImpression.Core.Tests.Autograd;

/// <summary>
/// Compares the tape's gradients with central finite differences of L = Σ rᵢ·yᵢ, where r is a fixed random
/// projection of the function's output (so every output element gets a different upstream gradient).
/// </summary>
public static class GradientCheck
{
    public static void Assert(Func<Tensor[], Tensor> function, Tensor[] inputs, int samplesPerInput = 12, double epsilon = 1e-2,
        double relativeTolerance = 2e-2, double absoluteTolerance = 1e-3, ulong seed = 99, int allowedMismatches = 0, string? label = null)
    {
        var rng = new Rng(seed);
        float[] projection;
        using (Backprop.NoGrad())
        {
            var y0 = function(inputs);
            projection = new float[y0.Count];
            for (int i = 0; i < projection.Length; i++) projection[i] = (float)rng.NextNormal();
        }

        foreach (var t in inputs)
        {
            t.RequiresGrad = true;
            t.Grad = null;
        }
        using (var scope = TensorScope.Begin())
        {
            var y = function(inputs);
            var r = Tensor.FromArray(projection, new Shape(1, projection.Length), y.Device);
            var loss = Op.Linear(Op.Reshape(y, new Shape(1, y.Count)), r, null);
            loss.Backward();
        }

        int mismatches = 0;
        var report = new List<string>();
        for (int k = 0; k < inputs.Length; k++)
        {
            var input = inputs[k];
            var analytic = input.Grad?.ToArray() ?? throw new InvalidOperationException($"input {k} got no gradient");
            var values = input.ToArray();
            var indices = Enumerable.Range(0, Math.Min(samplesPerInput, values.Length)).Select(_ => rng.NextInt(values.Length)).Distinct();
            foreach (var j in indices)
            {
                float original = values[j];
                double step = epsilon * Math.Max(1.0, Math.Abs(original));
                values[j] = (float)(original + step);
                double plus = Objective(function, inputs, k, values, projection);
                values[j] = (float)(original - step);
                double minus = Objective(function, inputs, k, values, projection);
                values[j] = original;
                input.CopyFrom(values);
                double numeric = (plus - minus) / (2 * step);
                double a = analytic[j];
                if (Math.Abs(a - numeric) > absoluteTolerance + relativeTolerance * Math.Max(Math.Abs(a), Math.Abs(numeric)))
                {
                    mismatches++;
                    report.Add($"input {k} {input.Shape} [{j}]: analytic {a:G6}, numeric {numeric:G6}");
                }
            }
        }
        NUnit.Framework.Assert.That(mismatches, Is.LessThanOrEqualTo(allowedMismatches),
            $"{label ?? "gradient check"}: {mismatches} mismatches\n" + string.Join("\n", report));
    }

    private static double Objective(Func<Tensor[], Tensor> function, Tensor[] inputs, int k, float[] values, float[] projection)
    {
        inputs[k].CopyFrom(values);
        using var noGrad = Backprop.NoGrad();
        using var scope = TensorScope.Begin();
        var y = function(inputs).ToArray();
        double sum = 0;
        for (int i = 0; i < y.Length; i++) sum += (double)projection[i] * y[i];
        return sum;
    }
}
