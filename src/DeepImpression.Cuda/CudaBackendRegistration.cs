namespace DeepImpression.Cuda;

/// <summary>Placeholder: the CUDA backend registers itself with Core's BackendRegistry here.</summary>
public static class CudaBackendRegistration
{
}
