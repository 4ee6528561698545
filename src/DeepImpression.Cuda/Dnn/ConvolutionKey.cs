using DeepImpression.Core.Backends;

namespace DeepImpression.Cuda.Dnn;

/// <summary>The three convolutions of a layer, each with its own set of cuDNN algorithms.</summary>
public enum ConvolutionDirection
{
    /// <summary>y = x ⋆ w (cudnnConvolutionForward).</summary>
    Forward,

    /// <summary>The gradient of the input (cudnnConvolutionBackwardData).</summary>
    BackwardData,

    /// <summary>The gradient of the filters (cudnnConvolutionBackwardFilter).</summary>
    BackwardFilter,
}

/// <summary>Everything an algorithm choice depends on: direction, input and filter shapes, geometry, math mode.</summary>
internal readonly record struct ConvolutionKey(
    ConvolutionDirection Direction, TensorDescriptorShape Input, TensorDescriptorShape Filter, ConvolutionGeometry Geometry, bool AllowTf32)
{
    /// <summary>The key with the batch size left out: what one algorithm search covers. An algorithm's support does
    /// not depend on N, so a choice made for one batch size serves others once cuDNN confirms its workspace.</summary>
    public ConvolutionKey PerExample => this with { Input = Input with { N = 0 } };

    public override string ToString() =>
        $"{ConvolutionAlgorithmCatalog.Label(Direction)} x{Input} w{Filter} {Geometry}{(AllowTf32 ? " TF32" : "")}";

    /// <summary>The output shape the key implies: (N, K, OH, OW), output sizes rounding down.</summary>
    public TensorDescriptorShape Output
    {
        get
        {
            var (oh, ow) = Geometry.OutputShape(Input.H, Input.W, Filter.H, Filter.W);
            return new TensorDescriptorShape(Input.N, Filter.N, oh, ow);
        }
    }
}
