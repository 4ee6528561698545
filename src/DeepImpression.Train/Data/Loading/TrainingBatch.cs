namespace DeepImpression.Train.Data.Loading;

/// <summary>
/// One mini-batch as plain host arrays, laid out for NCHW tensors: <see cref="Audio"/> is N x 1 x 1 x L
/// (L = <see cref="AudioSamples"/>, values in [-1, 1]), <see cref="Frames"/> is N x 3 x C x C RGB crops
/// (C = <see cref="CropSize"/>, raw pixel values 0..255 as float), <see cref="Targets"/> is N x 5 in trait order.
/// Disposing hands the arrays back to the loader for reuse: do not touch them afterwards.
/// </summary>
public sealed class TrainingBatch : IDisposable
{
    private Action<TrainingBatch>? _return;

    internal TrainingBatch(int count, int audioSamples, int cropSize, Action<TrainingBatch>? giveBack)
    {
        Count = count;
        AudioSamples = audioSamples;
        CropSize = cropSize;
        Audio = new float[count * audioSamples];
        Frames = new float[count * 3 * cropSize * cropSize];
        Targets = new float[count * 5];
        Clips = new string[count];
        _return = giveBack;
    }

    /// <summary>Examples in the batch (N).</summary>
    public int Count { get; }

    /// <summary>Audio samples per example (L).</summary>
    public int AudioSamples { get; }
    /// <summary>Side of the square crops (C).</summary>
    public int CropSize { get; }
    /// <summary>N x 1 x 1 x L audio windows.</summary>
    public float[] Audio { get; }
    /// <summary>N x 3 x C x C crops, raw pixel values 0..255.</summary>
    public float[] Frames { get; }
    /// <summary>N x 5 trait labels.</summary>
    public float[] Targets { get; }

    /// <summary>The clip each example came from.</summary>
    public string[] Clips { get; }

    /// <summary>The epoch the batch belongs to.</summary>
    public int Epoch { get; internal set; }

    /// <summary>Position of the batch within its epoch.</summary>
    public int Index { get; internal set; }

    /// <summary>Hands the arrays back to the loader for reuse.</summary>
    public void Dispose()
    {
        var giveBack = Interlocked.Exchange(ref _return, null);
        giveBack?.Invoke(this);
    }

    internal void Rearm(Action<TrainingBatch> giveBack) => _return = giveBack;
}
