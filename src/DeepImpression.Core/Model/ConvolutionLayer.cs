using DeepImpression.Core.Backends;
using DeepImpression.Core.Tensors;

namespace DeepImpression.Core.Model;

/// <summary>One convolution of a model for a given input size: its parameter path (<c>vis/res2a_relu/res_branch2a</c>),
/// the shapes it multiplies and its geometry, for plans, benchmarks and tests.</summary>
public sealed record ConvolutionLayer(string Path, Shape Input, Shape Filter, ConvolutionGeometry Geometry)
{
    /// <summary>The output's shape (N, K, OH, OW).</summary>
    public Shape Output
    {
        get
        {
            var (oh, ow) = Geometry.OutputShape(Input[2], Input[3], Filter[2], Filter[3]);
            return new Shape(Input[0], Filter[0], oh, ow);
        }
    }

    /// <summary>Multiply-adds of one forward pass (the direct convolution's).</summary>
    public long MultiplyAdds => (long)Output.Count * Filter[1] * Filter[2] * Filter[3];
}
