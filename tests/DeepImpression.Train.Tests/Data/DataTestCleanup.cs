using DeepImpression.Train.Tests.Data;

namespace DeepImpression.Train.Tests;

/// <summary>
/// Deletes the synthetic set that the data and synthetic tests share, once every test of the assembly has run (it
/// sits in the root test namespace so that it outlives both Data and Synthetic fixtures).
/// </summary>
[SetUpFixture]
public class DataTestCleanup
{
    [OneTimeTearDown]
    public void DeleteSharedSet() => TinySyntheticSet.DeleteIfMade();
}
