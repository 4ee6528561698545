using DeepImpression.Core.Backends;
using DeepImpression.Cuda.Interop;

namespace DeepImpression.Cuda.Dnn;

/// <summary>
/// A fixed set of cuDNN descriptors, created once and re-set before each call. Setting a descriptor is a host-only
/// operation of a few hundred nanoseconds, and the backend's calls are serialized, so this is cheaper and simpler
/// than a cache of descriptors per shape.
/// </summary>
internal sealed class CuDnnDescriptors : IDisposable
{
    private readonly NativeHandle[] _tensors;
    private readonly NativeHandle _filter, _convolution, _pooling, _activation;

    public CuDnnDescriptors()
    {
        _tensors = new NativeHandle[4];
        for (int i = 0; i < _tensors.Length; i++)
        {
            CuDnn.Check(CuDnn.cudnnCreateTensorDescriptor(out var d), "cudnnCreateTensorDescriptor");
            _tensors[i] = new NativeHandle(d, CuDnn.cudnnDestroyTensorDescriptor);
        }
        CuDnn.Check(CuDnn.cudnnCreateFilterDescriptor(out var f), "cudnnCreateFilterDescriptor");
        _filter = new NativeHandle(f, CuDnn.cudnnDestroyFilterDescriptor);
        CuDnn.Check(CuDnn.cudnnCreateConvolutionDescriptor(out var c), "cudnnCreateConvolutionDescriptor");
        _convolution = new NativeHandle(c, CuDnn.cudnnDestroyConvolutionDescriptor);
        CuDnn.Check(CuDnn.cudnnCreatePoolingDescriptor(out var p), "cudnnCreatePoolingDescriptor");
        _pooling = new NativeHandle(p, CuDnn.cudnnDestroyPoolingDescriptor);
        CuDnn.Check(CuDnn.cudnnCreateActivationDescriptor(out var a), "cudnnCreateActivationDescriptor");
        _activation = new NativeHandle(a, CuDnn.cudnnDestroyActivationDescriptor);
    }

    /// <summary>Tensor descriptor number <paramref name="slot"/> (0..3), set to a packed float NCHW shape.</summary>
    public nint Tensor(int slot, TensorDescriptorShape shape)
    {
        var d = _tensors[slot].Value;
        CuDnn.Check(CuDnn.cudnnSetTensor4dDescriptor(d, CuDnnTensorFormat.Nchw, CuDnnDataType.Float, shape.N, shape.C, shape.H, shape.W),
            $"cudnnSetTensor4dDescriptor{shape}");
        return d;
    }

    /// <summary>The filter descriptor, set to (K, C, kh, kw).</summary>
    public nint Filter(TensorDescriptorShape shape)
    {
        var d = _filter.Value;
        CuDnn.Check(CuDnn.cudnnSetFilter4dDescriptor(d, CuDnnDataType.Float, CuDnnTensorFormat.Nchw, shape.N, shape.C, shape.H, shape.W),
            $"cudnnSetFilter4dDescriptor{shape}");
        return d;
    }

    /// <summary>The convolution descriptor: cross-correlation without dilation, FP32 accumulation.</summary>
    public nint Convolution(ConvolutionGeometry geometry, CuDnnMathType mathType)
    {
        var d = _convolution.Value;
        CuDnn.Check(CuDnn.cudnnSetConvolution2dDescriptor(d, geometry.PadH, geometry.PadW, geometry.StrideH, geometry.StrideW, 1, 1,
            CuDnnConvolutionMode.CrossCorrelation, CuDnnDataType.Float), $"cudnnSetConvolution2dDescriptor({geometry})");
        CuDnn.Check(CuDnn.cudnnSetConvolutionMathType(d, mathType), "cudnnSetConvolutionMathType");
        return d;
    }

    public nint AveragePooling(PoolingGeometry geometry)
    {
        var d = _pooling.Value;
        CuDnn.Check(CuDnn.cudnnSetPooling2dDescriptor(d, CuDnnPoolingMode.AverageCountIncludePadding, CuDnnNanPropagation.NotPropagate,
            geometry.KernelH, geometry.KernelW, geometry.PadH, geometry.PadW, geometry.StrideH, geometry.StrideW),
            $"cudnnSetPooling2dDescriptor({geometry})");
        return d;
    }

    public nint Activation(ActivationMode mode)
    {
        var d = _activation.Value;
        var cudnnMode = mode switch
        {
            ActivationMode.Relu => CuDnnActivationMode.Relu,
            ActivationMode.Tanh => CuDnnActivationMode.Tanh,
            _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, null),
        };
        CuDnn.Check(CuDnn.cudnnSetActivationDescriptor(d, cudnnMode, CuDnnNanPropagation.Propagate, 0.0), $"cudnnSetActivationDescriptor({mode})");
        return d;
    }

    public void Dispose()
    {
        foreach (var t in _tensors) t.Dispose();
        _filter.Dispose();
        _convolution.Dispose();
        _pooling.Dispose();
        _activation.Dispose();
    }
}
