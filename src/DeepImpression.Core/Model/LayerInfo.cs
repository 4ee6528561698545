using DeepImpression.Core.Tensors;

namespace DeepImpression.Core.Model;

/// <summary>One row of a model summary: a layer's path, its output shape, its parameters and its forward multiply-adds.</summary>
public sealed record LayerInfo(string Path, string Operation, Shape Output, long Parameters, long MultiplyAdds);
