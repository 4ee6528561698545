namespace DeepImpression.Core.Backends;

/// <summary>The element-wise nonlinearities a backend computes, forward and backward.</summary>
public enum ActivationMode
{
    /// <summary>max(x, 0).</summary>
    Relu,

    /// <summary>tanh(x).</summary>
    Tanh,
}
