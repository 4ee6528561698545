using DeepImpression.Core.Tensors;

namespace DeepImpression.Core.Ops;

/// <summary>Argument checks shared by the ops: each failure names the op and the shapes involved.</summary>
internal static class Check
{
    public static void Rank(string op, string what, Tensor t, int rank)
    {
        if (t.Rank != rank)
            throw new ArgumentException($"{op}: {what} must have rank {rank}, got shape {t.Shape}.");
    }

    public static void SameShape(string op, Tensor a, Tensor b)
    {
        if (a.Shape != b.Shape)
            throw new ArgumentException($"{op}: shapes {a.Shape} and {b.Shape} differ.");
    }

    public static void SameDevice(string op, params Tensor?[] tensors)
    {
        Device? first = null;
        foreach (var t in tensors)
        {
            if (t is null) continue;
            if (first is null) first = t.Device;
            else if (t.Device != first)
                throw new ArgumentException($"{op}: tensors are on different devices ({first} and {t.Device}); " +
                                            $"shapes {string.Join(", ", tensors.Where(x => x is not null).Select(x => $"{x!.Shape} on {x.Device}"))}.");
        }
    }

    public static void That(bool condition, string op, Func<string> message)
    {
        if (!condition) throw new ArgumentException($"{op}: {message()}");
    }
}
