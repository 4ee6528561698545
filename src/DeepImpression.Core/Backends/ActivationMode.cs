namespace DeepImpression.Core.Backends;

public enum ActivationMode { Relu, Tanh }
