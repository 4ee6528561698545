using DeepImpression.Train.Data.Labels;

namespace DeepImpression.Train.Evaluation;

/// <summary>The network's trait scores for one clip, beside its labels when they are known.</summary>
public sealed record ClipPrediction(string Clip, TraitScores Predicted, TraitScores? Target);
