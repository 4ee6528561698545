namespace DeepImpression.Core.Serialization;

/// <summary>
/// Refusals to replace a file that holds something other than what is about to be written: a model replaced by a
/// CSV of predictions, or a training run's checkpoint replaced by weights without the run's state, cannot be undone.
/// </summary>
public static class OverwriteGuard
{
    /// <summary>Refuses when <paramref name="path"/> is an npz (a model or a checkpoint).</summary>
    /// <param name="path">The file about to be written.</param>
    /// <param name="what">What would be written, for the message ("predictions (CSV)").</param>
    public static void NotAModel(string path, string what)
    {
        if (NpzFile.LooksLikeNpz(path))
            throw new InvalidInputException($"{path}: is a model file (npz); writing {what} over it would destroy it. Choose another file name.");
    }

    /// <summary>Refuses when <paramref name="path"/> is a checkpoint that holds a training run's state (optimizer
    /// moments, position in the epoch): replacing it would end the run's ability to resume.</summary>
    /// <param name="path">The file about to be written.</param>
    /// <param name="what">What would be written, for the message ("imported weights").</param>
    public static void NotATrainingCheckpoint(string path, string what)
    {
        if (Checkpoint.IsTrainingCheckpoint(path))
            throw new InvalidInputException($"{path}: is a training run's checkpoint; writing {what} over it would lose the run's optimizer and training state. Choose another file name.");
    }
}
