using DeepImpression.Core.Serialization;

namespace DeepImpression.Core.Tests.Serialization;

[TestFixture]
public class Crc32Tests
{
    [Test]
    public void The_check_value_of_the_standard_matches()
    {
        Assert.That(Crc32.Update(0, "123456789"u8), Is.EqualTo(0xCBF43926u));
        Assert.That(Crc32.Update(0, []), Is.Zero);
    }

    [Test]
    public void It_agrees_with_the_bitwise_definition_for_any_length_and_any_split()
    {
        var random = new Random(3);
        foreach (var length in new[] { 1, 7, 8, 9, 15, 16, 17, 1000, 4099 })
        {
            var data = new byte[length];
            random.NextBytes(data);
            var expected = HandZip.Crc32(data);
            Assert.That(Crc32.Update(0, data), Is.EqualTo(expected), $"length {length}");
            var split = random.Next(length + 1);
            Assert.That(Crc32.Update(Crc32.Update(0, data.AsSpan(0, split)), data.AsSpan(split)), Is.EqualTo(expected), $"length {length} split {split}");
        }
    }
}
