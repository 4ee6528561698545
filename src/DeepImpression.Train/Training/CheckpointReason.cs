namespace DeepImpression.Train.Training;

/// <summary>Why the <see cref="Trainer"/> wrote a checkpoint.</summary>
public enum CheckpointReason
{
    /// <summary><c>last.npz</c>, because <see cref="TrainingOptions.CheckpointMinutes"/> passed since the last save.</summary>
    Periodic,
    /// <summary><c>last.npz</c>, at the end of an epoch (after its validation, if any); the last epoch's is the run's final checkpoint.</summary>
    EpochEnd,
    /// <summary><c>last.npz</c>, because the run reached <see cref="TrainingOptions.MaxSteps"/>.</summary>
    StepLimit,
    /// <summary><c>last.npz</c>, because the run was stopped (its cancellation token); the run can be resumed from it.</summary>
    Interrupted,
    /// <summary><c>best.npz</c>: a copy of the epoch's <c>last.npz</c>, because its validation accuracy is the best so far.</summary>
    Best,
}
