using DeepImpression.Core;
using DeepImpression.Train.Data.Labels;
using DeepImpression.Train.Data.Labels.Pickle;

namespace DeepImpression.Train.Tests.Labels;

/// <summary>The safe unpickler on pickles written byte by byte in the test.</summary>
[TestFixture]
public class PickleReaderTests
{
    // Doubles with short exact encodings, so that the bytes below can be written by hand.
    private static readonly byte[] Quarter = [0x3F, 0xD0, 0, 0, 0, 0, 0, 0];
    private static readonly byte[] Half = [0x3F, 0xE0, 0, 0, 0, 0, 0, 0];
    private static readonly byte[] ThreeQuarters = [0x3F, 0xE8, 0, 0, 0, 0, 0, 0];
    private static readonly byte[] Eighth = [0x3F, 0xC0, 0, 0, 0, 0, 0, 0];
    private static readonly byte[] One = [0x3F, 0xF0, 0, 0, 0, 0, 0, 0];
    private static readonly byte[] Zero = [0, 0, 0, 0, 0, 0, 0, 0];

    private static byte[] LittleEndian(byte[] bigEndian) => bigEndian.Reverse().ToArray();

    /// <summary>
    /// An annotation pickle for clips a.mp4 and b.mp4 in the layout of the official files, with some variations
    /// Python also writes: a BINUNICODE key, single SETITEMs instead of a SETITEMS batch, and the numpy.float64
    /// interview values with the global and dtype referred back to through LONG_BINGET.
    /// </summary>
    private static byte[] TwoClipAnnotations()
    {
        var p = new HandPickle();
        p.Raw(0x80, 2).Raw((byte)'}', (byte)'q', 0).Raw((byte)'(');
        // extraversion: {a: 0.25, b: 0.5}, the clip names memoized as 3 and 4.
        p.ShortString("extraversion").Raw((byte)'q', 1).Raw((byte)'}', (byte)'q', 2).Raw((byte)'(');
        p.ShortString("a.mp4").Raw((byte)'q', 3).Raw((byte)'G').Raw(Quarter);
        p.ShortString("b.mp4").Raw((byte)'q', 4).Raw((byte)'G').Raw(Half);
        p.Raw((byte)'u');
        // agreeableness as a unicode key: {a: 0.75, b: 0.125}.
        p.Raw((byte)'X', 13, 0, 0, 0).Ascii("agreeableness").Raw((byte)'q', 5).Raw((byte)'}', (byte)'q', 6).Raw((byte)'(');
        p.Raw((byte)'h', 3, (byte)'G').Raw(ThreeQuarters).Raw((byte)'h', 4, (byte)'G').Raw(Eighth).Raw((byte)'u');
        // conscientiousness with SETITEM per item: {a: 1.0, b: 0.0}.
        p.ShortString("conscientiousness").Raw((byte)'q', 7).Raw((byte)'}', (byte)'q', 8);
        p.Raw((byte)'h', 3, (byte)'G').Raw(One).Raw((byte)'s').Raw((byte)'h', 4, (byte)'G').Raw(Zero).Raw((byte)'s');
        // neuroticism: {b: 0.25, a: 0.5} (other order).
        p.ShortString("neuroticism").Raw((byte)'q', 9).Raw((byte)'}', (byte)'q', 10).Raw((byte)'(');
        p.Raw((byte)'h', 4, (byte)'G').Raw(Quarter).Raw((byte)'h', 3, (byte)'G').Raw(Half).Raw((byte)'u');
        // openness: {a: 0.125, b: 0.75}.
        p.ShortString("openness").Raw((byte)'q', 11).Raw((byte)'}', (byte)'q', 12).Raw((byte)'(');
        p.Raw((byte)'h', 3, (byte)'G').Raw(Eighth).Raw((byte)'h', 4, (byte)'G').Raw(ThreeQuarters).Raw((byte)'u');
        // interview: {a: float64(0.75), b: float64(0.25)}.
        p.ShortString("interview").Raw((byte)'q', 13).Raw((byte)'}', (byte)'q', 14).Raw((byte)'(');
        p.Raw((byte)'h', 3);
        p.Raw((byte)'c').Ascii("numpy.core.multiarray\nscalar\n").Raw((byte)'q', 15);
        p.Raw((byte)'c').Ascii("numpy\ndtype\n").Raw((byte)'q', 16);
        p.ShortString("f8").Raw((byte)'q', 17).Raw((byte)'K', 0, (byte)'K', 1, 0x87, (byte)'q', 18);
        p.Raw((byte)'R', (byte)'q', 19);
        p.Raw((byte)'(', (byte)'K', 3).ShortString("<").Raw((byte)'q', 20).Raw((byte)'N', (byte)'N', (byte)'N');
        p.Raw((byte)'J', 0xFF, 0xFF, 0xFF, 0xFF, (byte)'J', 0xFF, 0xFF, 0xFF, 0xFF, (byte)'K', 0, (byte)'t', (byte)'q', 21);
        p.Raw((byte)'b');
        p.Raw((byte)'U', 8).Raw(LittleEndian(ThreeQuarters)).Raw((byte)'q', 22).Raw(0x86, (byte)'q', 23, (byte)'R', (byte)'q', 24);
        p.Raw((byte)'h', 4);
        p.Raw((byte)'j', 15, 0, 0, 0).Raw((byte)'j', 19, 0, 0, 0);
        p.Raw((byte)'U', 8).Raw(LittleEndian(Quarter)).Raw((byte)'r', 0x00, 0x01, 0, 0).Raw(0x86, (byte)'R');
        p.Raw((byte)'u');
        p.Raw((byte)'u', (byte)'.');
        return p.ToArray();
    }

    [Test]
    public void A_hand_written_annotation_pickle_reads_right()
    {
        var labels = AnnotationPickle.ToLabelSet(AnnotationPickle.ReadColumns(TwoClipAnnotations(), "hand.pkl"), "hand.pkl");

        Assert.That(labels.Clips.Keys, Is.EqualTo(new[] { "a.mp4", "b.mp4" }));
        Assert.That(labels.Clips["a.mp4"], Is.EqualTo(new TraitScores(0.25f, 0.75f, 1.0f, 0.5f, 0.125f)));
        Assert.That(labels.Clips["b.mp4"], Is.EqualTo(new TraitScores(0.5f, 0.125f, 0.0f, 0.25f, 0.75f)));
        Assert.That(labels.Interview, Is.Not.Null);
        Assert.That(labels.Interview!["a.mp4"], Is.EqualTo(0.75f));
        Assert.That(labels.Interview["b.mp4"], Is.EqualTo(0.25f));
        Assert.That(labels.Source, Is.EqualTo("hand.pkl"));
    }

    [Test]
    public void A_numpy_float64_pickled_by_Python_3_and_a_big_endian_dtype_decode()
    {
        // Python 3 pickles the dtype arguments as ('f8', False, True); a '>' state means big-endian raw bytes.
        var p = new HandPickle().Raw(0x80, 2);
        p.Raw((byte)'c').Ascii("numpy.core.multiarray\nscalar\n");
        p.Raw((byte)'c').Ascii("numpy\ndtype\n").ShortString("f8").Raw(0x89, 0x88, 0x87, (byte)'R');
        p.Raw((byte)'(', (byte)'K', 3).ShortString(">").Raw((byte)'N', (byte)'N', (byte)'N', (byte)'J', 0xFF, 0xFF, 0xFF, 0xFF);
        p.Raw((byte)'J', 0xFF, 0xFF, 0xFF, 0xFF, (byte)'K', 0, (byte)'t', (byte)'b');
        p.Raw((byte)'U', 8).Raw(ThreeQuarters).Raw(0x86, (byte)'R', (byte)'.');

        Assert.That(PickleReader.Read(p.ToArray(), "scalar.pkl"), Is.EqualTo(0.75));
    }

    [Test]
    public void Plain_values_and_tuples_read_as_their_CSharp_counterparts()
    {
        var p = new HandPickle().Raw(0x80, 2, (byte)'(');
        p.Raw((byte)'K', 200, (byte)'J', 0xFE, 0xFF, 0xFF, 0xFF, (byte)'N', 0x88, 0x89).Raw((byte)'X', 2, 0, 0, 0, 0xC3, 0xA9);
        p.Raw((byte)'K', 7, 0x85, (byte)'t', (byte)'.');

        var tuple = (PickleTuple)PickleReader.Read(p.ToArray(), "values.pkl")!;

        Assert.That(tuple.Items.Take(6), Is.EqualTo(new object?[] { 200L, -2L, null, true, false, "é" }));
        Assert.That(((PickleTuple)tuple[6]!).Items, Is.EqualTo(new object[] { 7L }));
    }

    [Test]
    public void A_global_other_than_numpy_scalar_or_dtype_is_refused_with_its_opcode_and_offset()
    {
        // The classic exploit: REDUCE of os.system. The GLOBAL at byte 2 is refused before anything can be called.
        var p = new HandPickle().Raw(0x80, 2).Raw((byte)'c').Ascii("os\nsystem\n").ShortString("echo pwned").Raw(0x85, (byte)'R', (byte)'.');

        var error = Assert.Throws<InvalidInputException>(() => PickleReader.Read(p.ToArray(), "evil.pkl"))!;

        Assert.That(error.Message, Does.StartWith("evil.pkl: "));
        Assert.That(error.Message, Does.Contain("GLOBAL (0x63) at byte 2"));
        Assert.That(error.Message, Does.Contain("os system"));
        Assert.That(error.Message, Does.Not.Contain("\n"));
    }

    [Test]
    public void REDUCE_of_anything_but_a_numpy_callable_is_refused_with_its_offset()
    {
        var p = new HandPickle().Raw(0x80, 2).ShortString("x").Raw((byte)'N', 0x85);
        var reduceOffset = p.Offset;
        p.Raw((byte)'R', (byte)'.');

        var error = Assert.Throws<InvalidInputException>(() => PickleReader.Read(p.ToArray(), "odd.pkl"))!;

        Assert.That(error.Message, Does.Contain($"REDUCE (0x52) at byte {reduceOffset}"));
        Assert.That(error.Message, Does.StartWith("odd.pkl: "));
    }

    [TestCase((byte)'B', "BINBYTES (0x42)")]
    [TestCase((byte)']', "EMPTY_LIST (0x5d)")]
    [TestCase((byte)0x95, "FRAME (0x95)")]
    [TestCase((byte)0xF3, "0xf3 (not a pickle opcode)")]
    public void An_opcode_outside_the_list_is_refused_with_its_name_and_offset(byte opcode, string described)
    {
        var p = new HandPickle().Raw(0x80, 2, (byte)'}', (byte)'q', 0, (byte)'(').ShortString("k");
        var offset = p.Offset;
        p.Raw(opcode, 1, 0, 0, 0, (byte)'x', (byte)'u', (byte)'.');

        var error = Assert.Throws<InvalidInputException>(() => PickleReader.Read(p.ToArray(), "other.pkl"))!;

        Assert.That(error.Message, Does.Contain($"opcode {described} at byte {offset}"));
    }

    [Test]
    public void A_higher_protocol_is_refused()
    {
        var error = Assert.Throws<InvalidInputException>(() => PickleReader.Read([0x80, 4, (byte)'N', (byte)'.'], "p4.pkl"))!;
        Assert.That(error.Message, Does.Contain("protocol 4").And.Contain("at byte 0"));
    }

    [Test]
    public void A_numpy_dtype_other_than_f8_is_refused()
    {
        var p = new HandPickle().Raw(0x80, 2).Raw((byte)'c').Ascii("numpy\ndtype\n").ShortString("i4").Raw((byte)'K', 0, (byte)'K', 1, 0x87, (byte)'R', (byte)'.');
        var error = Assert.Throws<InvalidInputException>(() => PickleReader.Read(p.ToArray(), "i4.pkl"))!;
        Assert.That(error.Message, Does.Contain("'i4'").And.Contain("REDUCE"));
    }

    [Test]
    public void Every_truncation_of_a_pickle_is_one_clear_error_naming_the_file()
    {
        var whole = TwoClipAnnotations();
        for (var length = 0; length < whole.Length; length++)
        {
            var error = Assert.Throws<InvalidInputException>(() => PickleReader.Read(whole[..length], "cut.pkl"), $"cut at {length}")!;
            Assert.That(error.Message, Does.StartWith("cut.pkl: truncated"), $"cut at {length}");
        }
    }

    [Test]
    public void A_memo_entry_that_was_never_stored_is_refused()
    {
        var error = Assert.Throws<InvalidInputException>(() => PickleReader.Read([0x80, 2, (byte)'h', 9, (byte)'.'], "memo.pkl"))!;
        Assert.That(error.Message, Does.Contain("BINGET (0x68) at byte 2").And.Contain("memo entry 9"));
    }

    [Test]
    public void Corrupted_bytes_never_escape_as_anything_but_InvalidInputException()
    {
        var whole = TwoClipAnnotations();
        var random = new Random(1234);
        for (var trial = 0; trial < 3000; trial++)
        {
            var corrupt = (byte[])whole.Clone();
            for (var flips = random.Next(1, 4); flips > 0; flips--) corrupt[random.Next(corrupt.Length)] = (byte)random.Next(256);
            try
            {
                AnnotationPickle.ToLabelSet(AnnotationPickle.ReadColumns(corrupt, "fuzz.pkl"), "fuzz.pkl");
            }
            catch (InvalidInputException e)
            {
                Assert.That(e.Message, Does.StartWith("fuzz.pkl: "));
            }
        }
    }
}
