using DeepImpression.Core.Tensors;

namespace DeepImpression.Core.Layers;

/// <summary>Initial weights, drawn on the host from a seeded generator so every device starts from the same numbers.</summary>
public static class Initializers
{
    /// <summary>He normal (Chainer's HeNormal): N(0, 2 / fan_in), fan_in = in·kh·kw. The original's convolutions.</summary>
    public static Tensor HeNormal(Shape shape, Rng rng, Device device) =>
        Tensor.RandomNormal(shape, rng, 0f, (float)Math.Sqrt(2.0 / FanIn(shape)), device);

    /// <summary>LeCun normal (Chainer's default for Linear): N(0, 1 / fan_in).</summary>
    public static Tensor LeCunNormal(Shape shape, Rng rng, Device device) =>
        Tensor.RandomNormal(shape, rng, 0f, (float)Math.Sqrt(1.0 / FanIn(shape)), device);

    private static int FanIn(Shape shape)
    {
        int fanIn = 1;
        for (int i = 1; i < shape.Rank; i++) fanIn *= shape[i];
        return Math.Max(fanIn, 1);
    }
}
