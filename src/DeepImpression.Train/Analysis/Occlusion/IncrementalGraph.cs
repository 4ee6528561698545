using DeepImpression.Core.Model;

namespace DeepImpression.Train.Analysis.Occlusion;

/// <summary>
/// A residual stream, for one input size, as the chain of stages incremental inference walks: node 0 is the input,
/// then <c>conv1_relu</c>, <c>pool1</c>, and per block its <c>branch2a</c> activation and its output. The last node
/// is <c>res5b_relu</c>, before the global average.
/// </summary>
internal sealed class IncrementalGraph
{
    private IncrementalGraph(ResidualStream stream, IReadOnlyList<IncrementalStage> stages, IReadOnlyList<(int C, int H, int W)> nodes)
    {
        Stream = stream;
        Stages = stages;
        Nodes = nodes;
    }

    /// <summary>The stream whose layers the stages run.</summary>
    public ResidualStream Stream { get; }

    public IReadOnlyList<IncrementalStage> Stages { get; }

    /// <summary>Channels and size of every node, the input first.</summary>
    public IReadOnlyList<(int C, int H, int W)> Nodes { get; }

    public int LastNode => Nodes.Count - 1;

    /// <summary>Multiply-adds of one full forward (every stage over its whole output): the naive cost per mask.</summary>
    public long FullMultiplyAdds => Stages.Sum(s => s.MultiplyAddsPerPosition * s.Height * s.Width);

    /// <summary>The stages of <paramref name="stream"/> for an input of <paramref name="height"/> x <paramref name="width"/>.</summary>
    public static IncrementalGraph Build(ResidualStream stream, int height, int width)
    {
        var stages = new List<IncrementalStage>();
        var nodes = new List<(int C, int H, int W)> { (stream.Geometry.InputChannels, height, width) };
        void Add(IncrementalStage stage)
        {
            if (stage.Height < 1 || stage.Width < 1)
                throw new ArgumentException($"an input of {height}x{width} is too small for the stream: {stage.Name} would be {stage.Height}x{stage.Width}.");
            stages.Add(stage);
            nodes.Add((stage.Channels, stage.Height, stage.Width));
        }
        (int H, int W) Size(int node) => (nodes[node].H, nodes[node].W);

        Add(new ConvolutionStage("conv1_relu", 1, 0, stream.Conv1.Conv, stream.Conv1.Bn, (height, width)));
        Add(new MaxPoolStage("pool1", 2, 1, nodes[1].C, stream.Geometry.Pool1, Size(1)));
        for (int i = 0; i < stream.Blocks.Count; i++)
        {
            var block = stream.Blocks[i];
            int x = nodes.Count - 1;
            string name = ResidualStream.BlockNames[i];
            Add(new ConvolutionStage(name + "/branch2a", x + 1, x, block.Branch2a, block.Bn2a, Size(x)));
            Add(new ResidualStage(name, x + 2, x + 1, x, block, Size(x)));
        }
        return new IncrementalGraph(stream, stages, nodes);
    }
}
