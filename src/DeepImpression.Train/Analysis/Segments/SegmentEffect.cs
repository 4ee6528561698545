namespace DeepImpression.Train.Analysis.Segments;

/// <summary>One cell of the segment table: what masking one region did to one trait's prediction over the videos.</summary>
public sealed record SegmentEffect(int RegionId, string Region, int Trait, string TraitName, PairedEffectSize Effect);
