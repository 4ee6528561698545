using DeepImpression.Core.Serialization;
using DeepImpression.Core.Tensors;

namespace DeepImpression.Core.Tests.Serialization;

[TestFixture]
public class NpyFormatTests
{
    private static NpyArray ReadBytes(byte[] bytes, string source = "x.npy") => NpyFormat.Read(new MemoryStream(bytes), source, bytes.Length);

    [Test]
    public void A_hand_written_version_1_float32_matrix_reads_right()
    {
        var bytes = HandNpy.Build("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", HandNpy.LittleEndianFloats(1, -2.5f, 3, 4e-7f, float.MaxValue, 0));

        var array = ReadBytes(bytes);

        Assert.That(array.DataType, Is.EqualTo(NpyDataType.Float32));
        Assert.That(array.Shape, Is.EqualTo(new Shape(2, 3)));
        Assert.That(array.AsFloat32(), Is.EqualTo(new[] { 1, -2.5f, 3, 4e-7f, float.MaxValue, 0 }));
    }

    [TestCase(2)]
    [TestCase(3)]
    public void Version_2_and_3_headers_read(int major)
    {
        var bytes = HandNpy.Build("{'descr': '<i8', 'fortran_order': False, 'shape': (3,), }", HandNpy.LittleEndianLongs(long.MinValue, -1, long.MaxValue), major);

        Assert.That(ReadBytes(bytes).AsInt64(), Is.EqualTo(new[] { long.MinValue, -1, long.MaxValue }));
    }

    [Test]
    public void A_0_d_array_a_big_endian_double_and_Python_2_long_dimensions_read()
    {
        var scalar = ReadBytes(HandNpy.Build("{'descr': '>f8', 'fortran_order': False, 'shape': (), }", HandNpy.BigEndianDoubles(0.1)));
        Assert.That(scalar.Shape.Rank, Is.EqualTo(0));
        Assert.That(scalar.AsFloat64(), Is.EqualTo(new[] { 0.1 }));

        // Python 2's numpy wrote "(2L, 1L)" and key order is free.
        var old = ReadBytes(HandNpy.Build("{'shape': (2L, 1L), 'fortran_order': False, 'descr': '<f8'}", HandNpy.BigEndianDoubles(1, 2).Chunk(8).SelectMany(c => c.Reverse()).ToArray()));
        Assert.That(old.Shape, Is.EqualTo(new Shape(2, 1)));
        Assert.That(old.AsFloat64(), Is.EqualTo(new[] { 1.0, 2.0 }));
    }

    [Test]
    public void Booleans_bytes_and_int32_read()
    {
        Assert.That(ReadBytes(HandNpy.Build("{'descr': '|b1', 'fortran_order': False, 'shape': (4,), }", [0, 1, 7, 0])).AsBool(), Is.EqualTo(new[] { false, true, true, false }));
        Assert.That(ReadBytes(HandNpy.Build("{'descr': '|u1', 'fortran_order': False, 'shape': (2,), }", [200, 3])).AsUInt8(), Is.EqualTo(new byte[] { 200, 3 }));
        Assert.That(ReadBytes(HandNpy.Build("{'descr': '<i4', 'fortran_order': False, 'shape': (1,), }", [0xFE, 0xFF, 0xFF, 0xFF])).AsInt32(), Is.EqualTo(new[] { -2 }));
    }

    [Test]
    public void Fortran_order_is_refused_from_two_dimensions_on_and_harmless_below()
    {
        var matrix = HandNpy.Build("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", HandNpy.LittleEndianFloats(1, 2, 3, 4));
        var error = Assert.Throws<InvalidInputException>(() => ReadBytes(matrix, "f.npy"))!;
        Assert.That(error.Message, Does.StartWith("f.npy: ").And.Contain("Fortran order"));

        var vector = HandNpy.Build("{'descr': '<f4', 'fortran_order': True, 'shape': (2,), }", HandNpy.LittleEndianFloats(1, 2));
        Assert.That(ReadBytes(vector).AsFloat32(), Is.EqualTo(new[] { 1f, 2f }));
    }

    [TestCase("{'descr': '<f2', 'fortran_order': False, 'shape': (1,), }", "dtype '<f2' is not supported")]
    [TestCase("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }", "structured dtypes")]
    [TestCase("{'descr': '<f4', 'fortran_order': False, }", "no 'shape'")]
    [TestCase("{'descr': '<f4', 'fortran_order': Maybe, 'shape': (1,), }", "expected True or False")]
    [TestCase("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'extra': 1}", "unexpected key 'extra'")]
    [TestCase("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999,), }", "too large")]
    [TestCase("{'descr': '<f4', 'fortran_order': False, 'shape': (70000, 70000), }", "too large")]
    [TestCase("{'descr': '<f4', 'fortran_order': False, 'shape': (-1,), }", "expected a dimension")]
    public void A_bad_header_is_one_clear_error(string dict, string problem)
    {
        var error = Assert.Throws<InvalidInputException>(() => ReadBytes(HandNpy.Build(dict, new byte[4]), "h.npy"))!;
        Assert.That(error.Message, Does.StartWith("h.npy: ").And.Contain(problem));
    }

    [Test]
    public void Bad_magic_and_unknown_versions_are_refused()
    {
        var good = HandNpy.Build("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", new byte[4]);
        var badMagic = (byte[])good.Clone();
        badMagic[1] = (byte)'X';
        Assert.That(() => ReadBytes(badMagic, "m.npy"), Throws.TypeOf<InvalidInputException>().With.Message.Contains("bad magic"));
        var badVersion = (byte[])good.Clone();
        badVersion[6] = 4;
        Assert.That(() => ReadBytes(badVersion, "v.npy"), Throws.TypeOf<InvalidInputException>().With.Message.Contains("version 4.0"));
    }

    [Test]
    public void Data_shorter_than_the_shape_says_is_refused_at_every_length()
    {
        var whole = HandNpy.Build("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), }", HandNpy.LittleEndianFloats(1, 2, 3, 4, 5, 6));
        for (var length = 0; length < whole.Length; length++)
        {
            var cut = whole[..length];
            // With and without the length known up front (a zip entry knows it; a plain stream may not).
            Assert.That(() => NpyFormat.Read(new MemoryStream(cut), "t.npy", cut.Length), Throws.TypeOf<InvalidInputException>().With.Message.StartsWith("t.npy: truncated"), $"length {length}");
            Assert.That(() => NpyFormat.Read(new MemoryStream(cut), "t.npy"), Throws.TypeOf<InvalidInputException>().With.Message.StartsWith("t.npy: truncated"), $"length {length}");
        }
    }

    [Test]
    public void The_writer_aligns_the_data_to_64_bytes_and_reads_back_every_type()
    {
        NpyArray[] arrays =
        [
            new([1.5f, -0f, float.Epsilon, float.NaN, float.PositiveInfinity, 7], new Shape(3, 2)),
            new([Math.PI, -1e300], new Shape(2)),
            new([int.MinValue, 5], new Shape(1, 2)),
            NpyArray.Scalar(123456789012345L),
            new([true, false, true], new Shape(3)),
            NpyArray.Utf8("{\"batch\": 32, \"name\": \"é\"}"),
            new(Array.Empty<float>(), new Shape(0, 5)),
        ];
        foreach (var array in arrays)
        {
            var stream = new MemoryStream();
            NpyFormat.Write(stream, array);
            var bytes = stream.ToArray();
            var headerEnd = bytes.Length - array.Count * array.DataType.ItemSize();
            Assert.That(headerEnd % 64, Is.Zero, array.ToString());
            Assert.That(bytes[headerEnd - 1], Is.EqualTo((byte)'\n'), array.ToString());

            var back = ReadBytes(bytes);

            Assert.That(back.DataType, Is.EqualTo(array.DataType));
            Assert.That(back.Shape, Is.EqualTo(array.Shape));
            Assert.That(back.Bytes.ToArray(), Is.EqualTo(array.Bytes.ToArray()), array.ToString());
        }
        Assert.That(ReadBytes(Written(NpyArray.Utf8("é ok"))).ToUtf8(), Is.EqualTo("é ok"));
    }

    [Test]
    public void A_standalone_npy_file_round_trips_and_refuses_trailing_bytes()
    {
        var folder = Directory.CreateTempSubdirectory("npy-test-").FullName;
        try
        {
            var path = Path.Combine(folder, "a.npy");
            NpyFormat.WriteFile(path, new NpyArray([1.0, 2.0], new Shape(2)));
            Assert.That(NpyFormat.ReadFile(path).AsFloat64(), Is.EqualTo(new[] { 1.0, 2.0 }));

            File.AppendAllText(path, "junk");
            Assert.That(() => NpyFormat.ReadFile(path), Throws.TypeOf<InvalidInputException>().With.Message.StartsWith(path).And.Message.Contains("follow"));
        }
        finally
        {
            Directory.Delete(folder, true);
        }
    }

    [Test]
    public void Conversions_between_element_types()
    {
        var ints = new NpyArray([1L, -2L], new Shape(2));
        Assert.That(ints.ToFloat32(), Is.EqualTo(new[] { 1f, -2f }));
        Assert.That(ints.ToFloat64(), Is.EqualTo(new[] { 1.0, -2.0 }));
        Assert.That(new NpyArray([true, false], new Shape(2)).ToInt64(), Is.EqualTo(new[] { 1L, 0L }));
        Assert.That(() => NpyArray.Vector([0.5f]).ToInt64(), Throws.InvalidOperationException);
        Assert.That(() => ints.AsFloat32(), Throws.InvalidOperationException.With.Message.Contains("<i8"));
        Assert.That(() => new NpyArray(new float[5], new Shape(2, 3)), Throws.ArgumentException);
    }

    private static byte[] Written(NpyArray array)
    {
        var stream = new MemoryStream();
        NpyFormat.Write(stream, array);
        return stream.ToArray();
    }
}
