using System.Text;

namespace DeepImpression.Train.Tests.Labels;

/// <summary>Pickle bytes written out by hand in a test, independent of the project's pickle writer.</summary>
internal sealed class HandPickle
{
    private readonly List<byte> _bytes = [];

    public int Offset => _bytes.Count;

    public HandPickle Raw(params byte[] bytes)
    {
        _bytes.AddRange(bytes);
        return this;
    }

    public HandPickle Ascii(string text) => Raw(Encoding.ASCII.GetBytes(text));

    /// <summary>SHORT_BINSTRING: 'U', one length byte, the bytes.</summary>
    public HandPickle ShortString(string text) => Raw((byte)'U', (byte)text.Length).Ascii(text);

    public byte[] ToArray() => [.. _bytes];
}
