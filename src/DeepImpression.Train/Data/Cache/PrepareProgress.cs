namespace DeepImpression.Train.Data.Cache;

/// <summary>Progress of a <c>prepare</c> run, reported after every clip.</summary>
public readonly record struct PrepareProgress(int Done, int Total, int Added, int Failed, string? LastClip);
