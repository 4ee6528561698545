namespace DeepImpression.Train.Training;

/// <summary>How <see cref="Trainer.Train"/> ended.</summary>
public enum TrainingOutcome
{
    /// <summary>All epochs done.</summary>
    Completed,
    /// <summary>Stopped at the configured step limit; resumable.</summary>
    StepLimit,
    /// <summary>Ctrl-C or SIGTERM: state saved to last.npz; resumable.</summary>
    Interrupted,
    /// <summary>The loss became NaN or infinite; the last good checkpoint was kept.</summary>
    Diverged,
}
