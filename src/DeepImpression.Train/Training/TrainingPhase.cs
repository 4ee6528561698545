namespace DeepImpression.Train.Training;

/// <summary>The parts of a training run an interrupt can fall into; <see cref="Trainer.PhaseStarted"/> reports each
/// as it begins (tests use it to interrupt at a chosen one).</summary>
public enum TrainingPhase
{
    /// <summary>Waiting for the loader's next batch.</summary>
    Loading,
    /// <summary>Forward, loss, backward and update of one batch.</summary>
    Step,
    /// <summary>Recomputing the batch-norm statistics before validation (<see cref="PreciseBatchNorm"/>).</summary>
    PreciseBatchNorm,
    /// <summary>The test-time procedure on the validation clips (reported before each clip).</summary>
    Validation,
    /// <summary>Writing <c>last.npz</c> (and <c>best.npz</c>).</summary>
    Checkpoint,
}
