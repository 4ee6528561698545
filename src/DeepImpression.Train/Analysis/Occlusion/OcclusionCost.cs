namespace DeepImpression.Train.Analysis.Occlusion;

/// <summary>
/// What an occlusion map cost: multiply-adds of the masked stream by the naive path (a full forward per masked input)
/// and by the incremental one (counted analytically from the plan, for all masks and inputs), which of the two ran,
/// and the wall time it took. FLOPs are twice the multiply-adds.
/// </summary>
public sealed record OcclusionCost(OcclusionMethod Method, long NaiveMultiplyAdds, long IncrementalMultiplyAdds, TimeSpan Elapsed)
{
    /// <summary>Multiply-adds of the method that ran.</summary>
    public long MultiplyAdds => Method == OcclusionMethod.Naive ? NaiveMultiplyAdds : IncrementalMultiplyAdds;

    /// <summary>How many times fewer multiply-adds the incremental path needs.</summary>
    public double Reduction => NaiveMultiplyAdds / (double)Math.Max(1, IncrementalMultiplyAdds);

    /// <summary>The method and the multiply-adds it saved, for logs and captions.</summary>
    public override string ToString() =>
        $"{Method}: {2 * MultiplyAdds / 1e12:0.###} TFLOP in {Elapsed.TotalSeconds:0.0} s " +
        $"(naive {2 * NaiveMultiplyAdds / 1e12:0.###} TFLOP, incremental {2 * IncrementalMultiplyAdds / 1e12:0.###} TFLOP: {Reduction:0.00}x fewer)";
}
