using DeepImpression.Train.Evaluation;

namespace DeepImpression.Train.Training;

/// <summary>
/// One validation of the <see cref="Trainer"/>, passed to <see cref="Trainer.ValidationCompleted"/> once its row is in
/// <c>metrics.csv</c> and before the epoch's checkpoints are written (they follow through
/// <see cref="Trainer.CheckpointSaved"/>, with <see cref="CheckpointReason.Best"/> when <paramref name="IsBest"/>).
/// </summary>
/// <param name="Epoch">The epoch just finished and validated (from 0), as in <see cref="MetricsRow.Epoch"/>.</param>
/// <param name="Step">Optimizer steps done at the end of that epoch.</param>
/// <param name="Accuracy">The validation accuracy (1 - mean absolute error) per trait, with the test-time procedure.</param>
/// <param name="Baseline">The mean predictor's accuracy on the same clips: the floor the network must beat.</param>
/// <param name="IsBest">Whether <paramref name="Accuracy"/> is the best mean of the run so far, so that <c>best.npz</c> is about to hold this epoch's weights.</param>
public sealed record TrainingValidation(int Epoch, long Step, TraitAccuracy Accuracy, TraitAccuracy Baseline, bool IsBest);
