using DeepImpression.Core.Backends;
using DeepImpression.Core.Model;
using DeepImpression.Core.Tensors;

namespace DeepImpression.Benchmarks;

/// <summary>One convolution of the network at the training input size.</summary>
public sealed record ConvolutionShape(string Layer, int InChannels, int OutChannels, int InH, int InW, int KernelH, int KernelW, ConvolutionGeometry Geometry)
{
    public override string ToString() => $"{Layer} {InChannels}->{OutChannels} {KernelH}x{KernelW} on {InH}x{InW}";

    /// <summary>The layer's lowered product for one image, "M x K x N": output channels, in·kh·kw, output positions.</summary>
    public string GemmSize
    {
        get
        {
            var (oh, ow) = Geometry.OutputShape(InH, InW, KernelH, KernelW);
            return $"{OutChannels}x{InChannels * KernelH * KernelW}x{oh * ow}";
        }
    }

    /// <summary>Every distinct convolution of both streams, read off the model itself.</summary>
    public static IReadOnlyList<ConvolutionShape> All()
    {
        var net = new DeepImpressionNet(Device.Cpu);
        var shapes = new List<ConvolutionShape>();
        Add(shapes, "aud", net.Auditory, 1, DeepImpressionNet.TrainingAudioSamples);
        Add(shapes, "vis", net.Visual, 224, 224);
        return shapes.DistinctBy(s => (s.InChannels, s.OutChannels, s.InH, s.InW, s.KernelH, s.KernelW, s.Geometry)).ToList();
    }

    private static void Add(List<ConvolutionShape> shapes, string prefix, ResidualStream stream, int h, int w)
    {
        var c1 = stream.Conv1.Conv;
        shapes.Add(new($"{prefix}/conv1", c1.InChannels, c1.OutChannels, h, w, c1.Kernel.H, c1.Kernel.W, c1.Geometry));
        (h, w) = c1.Geometry.OutputShape(h, w, c1.Kernel.H, c1.Kernel.W);
        (h, w) = stream.Geometry.Pool1.OutputShape(h, w);
        for (int i = 0; i < stream.Blocks.Count; i++)
        {
            var b = stream.Blocks[i];
            string name = $"{prefix}/{ResidualStream.BlockNames[i]}";
            if (b.Branch1 is { } p) shapes.Add(new(name + "/branch1", p.InChannels, p.OutChannels, h, w, 1, 1, p.Geometry));
            shapes.Add(new(name + "/branch2a", b.Branch2a.InChannels, b.Branch2a.OutChannels, h, w, b.Branch2a.Kernel.H, b.Branch2a.Kernel.W, b.Branch2a.Geometry));
            var (oh, ow) = b.Branch2a.Geometry.OutputShape(h, w, b.Branch2a.Kernel.H, b.Branch2a.Kernel.W);
            shapes.Add(new(name + "/branch2b", b.Branch2b.InChannels, b.Branch2b.OutChannels, oh, ow, b.Branch2b.Kernel.H, b.Branch2b.Kernel.W, b.Branch2b.Geometry));
            (h, w) = (oh, ow);
        }
    }
}
