namespace DeepImpression.Core.Backends.Cpu.Convolution;

/// <summary>
/// The matrices of Winograd's minimal filtering F(m, r), y = Aᵀ[(G g) ⊙ (Bᵀ d)], built from its interpolation points by
/// the Toom-Cook construction (in double): α = m + r − 1 points, α − 1 finite ones p and one at infinity. Row l of
/// Bᵀ holds the coefficients of Π_{j≠l}(x − p_j), the infinite row those of Π_j(x − p_j); G evaluates the filter at
/// the points, divided by Π_{j≠l}(p_l − p_j) so that Bᵀ stays integral; Aᵀ evaluates the output polynomial. The
/// vectorized transforms (<see cref="WinogradTiles"/>) spell these out; the tests check them against this.
/// </summary>
internal sealed class WinogradMatrices
{
    private WinogradMatrices(int m, int r, double[,] at, double[,] g, double[,] bt) => (M, R, AT, G, BT) = (m, r, at, g, bt);

    public int M { get; }
    public int R { get; }
    public int Alpha => M + R - 1;

    /// <summary>Aᵀ: m x α.</summary>
    public double[,] AT { get; }

    /// <summary>G: α x r.</summary>
    public double[,] G { get; }

    /// <summary>Bᵀ: α x α.</summary>
    public double[,] BT { get; }

    /// <summary>F(4, 3) with points 0, 1, −1, 2, −2, ∞: its float32 error over the network's 3x3 layers is about 1e-6 of
    /// the output's norm (0, ±1, ±1/2 are no better here, and F(6, 3) is four times worse).</summary>
    public static WinogradMatrices F43 { get; } = Create(4, 3, [0, 1, -1, 2, -2]);

    /// <summary>F(3, 3) with points 0, 1, −1, 2, ∞: the first dimension of the nested 1x9 algorithm.</summary>
    public static WinogradMatrices F33 { get; } = Create(3, 3, [0, 1, -1, 2]);

    public static WinogradMatrices Create(int m, int r, double[] points)
    {
        int alpha = m + r - 1;
        if (points.Length != alpha - 1) throw new ArgumentException($"F({m}, {r}) needs {alpha - 1} finite points.", nameof(points));
        var at = new double[m, alpha];
        var g = new double[alpha, r];
        var bt = new double[alpha, alpha];
        for (int l = 0; l < points.Length; l++)
        {
            double p = points[l], f = 1;
            for (int j = 0; j < points.Length; j++)
                if (j != l) f *= p - points[j];
            for (int i = 0; i < m; i++) at[i, l] = Math.Pow(p, i);
            for (int k = 0; k < r; k++) g[l, k] = Math.Pow(p, k) / f;
            var others = points.Where((_, j) => j != l).ToArray();
            var coefficients = Product(others);
            for (int k = 0; k < coefficients.Length; k++) bt[l, k] = coefficients[k];
        }
        at[m - 1, alpha - 1] = 1;
        g[alpha - 1, r - 1] = 1;
        var all = Product(points);
        for (int k = 0; k < all.Length; k++) bt[alpha - 1, k] = all[k];
        return new WinogradMatrices(m, r, at, g, bt);
    }

    /// <summary>The coefficients (constant first) of Π (x − root).</summary>
    private static double[] Product(double[] roots)
    {
        var poly = new double[roots.Length + 1];
        poly[0] = 1;
        for (int i = 0; i < roots.Length; i++)
        {
            for (int k = i + 1; k > 0; k--) poly[k] = poly[k - 1] - roots[i] * poly[k];
            poly[0] = -roots[i] * poly[0];
        }
        return poly;
    }
}
