using System.Diagnostics;
using DeepImpression.Core.Tensors;

namespace DeepImpression.Core.Autograd;

/// <summary>
/// The define-by-run tape: ops record a <see cref="GradNode"/> on their result while recording is on, and
/// <see cref="Run"/> walks the recorded graph backwards from a scalar.
/// </summary>
public static class Backprop
{
    [ThreadStatic] private static int _noGradDepth;
    [ThreadStatic] private static string? _currentTag;

    /// <summary>When set, called with each node and the time its backward took (the backend synchronized), for profiles.</summary>
    public static Action<GradNode, TimeSpan>? NodeTimer { get; set; }

    /// <summary>The tag recorded on nodes created now (a layer path), or null.</summary>
    public static string? CurrentTag => _currentTag;

    /// <summary>Nodes recorded inside the region carry <paramref name="tag"/>, so a profiler can attribute backward time to layers.</summary>
    public static IDisposable Tagged(string tag) => new TagRegion(tag);

    /// <summary>True unless inside <see cref="NoGrad"/> on this thread.</summary>
    public static bool IsRecording => _noGradDepth == 0;

    /// <summary>A region in which ops record nothing (inference): results carry no graph and keep no inputs alive.</summary>
    public static IDisposable NoGrad() => new NoGradRegion();

    /// <summary>True when an op over <paramref name="inputs"/> must record itself.</summary>
    public static bool ShouldRecord(ReadOnlySpan<Tensor?> inputs)
    {
        if (!IsRecording) return false;
        foreach (var t in inputs) if (t is not null && t.TracksGradient) return true;
        return false;
    }

    /// <summary>Attaches the node to <paramref name="result"/> when any input tracks gradients.</summary>
    public static Tensor Record(Tensor result, string opName, Tensor[] inputs, Func<Tensor, Tensor?[]> backward)
    {
        if (ShouldRecord(inputs)) result.Node = new GradNode(opName, inputs, backward);
        return result;
    }

    /// <summary>Back-propagates from the scalar <paramref name="root"/> (as <see cref="Tensor.Backward"/>): visits the recorded graph in reverse topological order and accumulates gradients into the leaves that require them. Throws when the root is not a scalar or depends on nothing that requires a gradient.</summary>
    public static void Run(Tensor root)
    {
        if (root.Count != 1)
            throw new InvalidOperationException($"Backward() starts from a scalar; this tensor has shape {root.Shape}.");
        if (!root.TracksGradient)
            throw new InvalidOperationException("Backward(): the tensor does not depend on anything that requires a gradient (was it computed under NoGrad?).");

        var order = TopologicalOrder(root);
        var grads = new Dictionary<Tensor, Tensor>(ReferenceEqualityComparer.Instance);
        grads[root] = Tensor.Ones(root.Shape, root.Device);

        for (int i = order.Count - 1; i >= 0; i--)
        {
            var t = order[i];
            if (!grads.Remove(t, out var g)) continue;
            if (t.Node is { } node)
            {
                var timer = NodeTimer;
                long started = timer is null ? 0 : Stopwatch.GetTimestamp();
                var inputGrads = node.Backward(g);
                if (timer is not null)
                {
                    g.Backend.Synchronize();
                    timer(node, Stopwatch.GetElapsedTime(started));
                }
                if (inputGrads.Length != node.Inputs.Length)
                    throw new InvalidOperationException($"{node.OpName}: backward returned {inputGrads.Length} gradients for {node.Inputs.Length} inputs.");
                for (int k = 0; k < inputGrads.Length; k++)
                {
                    var gi = inputGrads[k];
                    var input = node.Inputs[k];
                    if (gi is null || !input.TracksGradient) continue;
                    if (gi.Shape != input.Shape)
                        throw new InvalidOperationException($"{node.OpName}: gradient {gi.Shape} for input {k} does not match its shape {input.Shape}.");
                    if (grads.TryGetValue(input, out var existing))
                    {
                        // A value used twice: its gradient is the sum. A new tensor, never in place, because
                        // a backward function may hand the same tensor to several inputs.
                        var sum = Tensor.Empty(input.Shape, input.Device);
                        sum.Backend.Add(existing, gi, sum);
                        grads[input] = sum;
                        ReleaseIfUnused(existing, grads, g);
                    }
                    else
                    {
                        grads[input] = gi;
                    }
                }
            }
            if (t.RequiresGrad && t.Node is null) AccumulateIntoLeaf(t, g);
            ReleaseIfUnused(g, grads, null);
        }
    }

    private static void AccumulateIntoLeaf(Tensor leaf, Tensor g)
    {
        if (leaf.Grad is null)
        {
            using (TensorScope.Suspend()) leaf.Grad = Tensor.Empty(leaf.Shape, leaf.Device);
            leaf.Backend.Axpby(1f, g, 0f, leaf.Grad);
        }
        else
        {
            leaf.Backend.Axpby(1f, g, leaf.GradIsStale ? 0f : 1f, leaf.Grad);
        }
        leaf.GradIsStale = false;
    }

    // Gradients of intermediates are freed as soon as nothing still needs them, which keeps the backward pass's
    // peak memory near the forward pass's.
    private static void ReleaseIfUnused(Tensor g, Dictionary<Tensor, Tensor> grads, Tensor? inUse)
    {
        if (ReferenceEquals(g, inUse)) return;
        foreach (var v in grads.Values) if (ReferenceEquals(v, g)) return;
        g.Dispose();
    }

    private static List<Tensor> TopologicalOrder(Tensor root)
    {
        var order = new List<Tensor>();
        var visited = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        var stack = new Stack<(Tensor T, int Next)>();
        stack.Push((root, 0));
        visited.Add(root);
        while (stack.Count > 0)
        {
            var (t, next) = stack.Pop();
            var inputs = t.Node?.Inputs ?? [];
            if (next < inputs.Length)
            {
                stack.Push((t, next + 1));
                var child = inputs[next];
                if (child.TracksGradient && visited.Add(child)) stack.Push((child, 0));
            }
            else
            {
                order.Add(t);
            }
        }
        return order;
    }

    private sealed class TagRegion : IDisposable
    {
        private readonly string? _previous;
        private bool _done;

        public TagRegion(string tag)
        {
            _previous = _currentTag;
            _currentTag = tag;
        }

        public void Dispose()
        {
            if (_done) return;
            _done = true;
            _currentTag = _previous;
        }
    }

    private sealed class NoGradRegion : IDisposable
    {
        private bool _done;
        public NoGradRegion() => _noGradDepth++;
        public void Dispose()
        {
            if (_done) return;
            _done = true;
            _noGradDepth--;
        }
    }
}
