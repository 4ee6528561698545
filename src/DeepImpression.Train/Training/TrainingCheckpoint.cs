namespace DeepImpression.Train.Training;

/// <summary>
/// A checkpoint the <see cref="Trainer"/> has just written, passed to <see cref="Trainer.CheckpointSaved"/>: the file is
/// complete on disk (written atomically) when the callback runs.
/// </summary>
/// <param name="Path">The file written: the run folder's <c>last.npz</c>, or <c>best.npz</c> for <see cref="CheckpointReason.Best"/>.</param>
/// <param name="Reason">Why it was written.</param>
/// <param name="Step">Optimizer steps the checkpoint holds.</param>
/// <param name="Epoch">The epoch a run resumed from it continues in (at an epoch end, the number of epochs completed).</param>
/// <param name="Batch">The batch within <paramref name="Epoch"/> a resumed run starts at (0 at an epoch end).</param>
public sealed record TrainingCheckpoint(string Path, CheckpointReason Reason, long Step, int Epoch, int Batch);
