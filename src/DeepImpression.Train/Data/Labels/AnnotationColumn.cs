namespace DeepImpression.Train.Data.Labels;

/// <summary>
/// One entry of an annotation pickle as the file holds it: its key (e.g. <c>extraversion</c>) and its clip -> value
/// dict in file order, at full double precision. Reading and writing this form reproduces an official file byte for
/// byte; <see cref="LabelSet"/> is what the rest of the program uses.
/// </summary>
internal sealed record AnnotationColumn(string Key, IReadOnlyList<KeyValuePair<string, double>> Values);
