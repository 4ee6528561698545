namespace DeepImpression.Train.Tests.Analysis;

/// <summary>Deletes the localized-cue set once the occlusion tests have run.</summary>
[SetUpFixture]
public class OcclusionTestCleanup
{
    [OneTimeTearDown]
    public void DeleteSharedSet() => LocalizedCueModel.DeleteIfMade();
}
