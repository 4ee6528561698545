using DeepImpression.Train.Data.Decoding;
using DeepImpression.Train.Data.Labels;

namespace DeepImpression.Train.Evaluation;

/// <summary>The trait scores of one video file, with what they were computed from.</summary>
public sealed record VideoPrediction(string Video, TraitScores Scores, FrameReadReport Frames, long AudioSamples);
