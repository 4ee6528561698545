namespace DeepImpression.Train.Tests.Commands;

[TestFixture]
[NonParallelizable]
public class SummaryCommandTests
{
    [Test]
    public void Summary_lists_every_layer_with_both_input_sizes_and_the_totals_of_the_design()
    {
        var (code, output, _) = Cli.Run("summary");
        Assert.That(code, Is.Zero);
        foreach (var layer in new[] { "aud/conv1_relu", "aud/pool1", "aud/res5b_relu", "vis/conv1_relu", "vis/res3a_relu", "vis/pool5", "fc" })
            Assert.That(output, Does.Contain(layer));
        Assert.That(output, Does.Contain("(1, 32, 1, 12544)").And.Contain("(1, 32, 1, 60000)"), "auditory conv1 at training and test size");
        Assert.That(output, Does.Contain("(1, 256, 8, 8)").And.Contain("(1, 256, 9, 15)"), "visual res5 at 224x224 and 456x256");
        Assert.That(output, Does.Contain("5,601,989").And.Contain("2,798,144").And.Contain("2,801,280").And.Contain("2,565"));
        Assert.That(output, Does.Contain("987,539,968").And.Contain("1.975 GFLOP"));
    }
}
