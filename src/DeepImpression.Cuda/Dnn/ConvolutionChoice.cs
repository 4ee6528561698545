using DeepImpression.Cuda.Interop;

namespace DeepImpression.Cuda.Dnn;

/// <summary>The algorithm a convolution runs with, its workspace, and the math type to run it in.</summary>
internal readonly record struct ConvolutionChoice(int Algorithm, long WorkspaceBytes, CuDnnMathType MathType);
