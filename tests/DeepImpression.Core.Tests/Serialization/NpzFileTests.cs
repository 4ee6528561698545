using DeepImpression.Core.Serialization;
using DeepImpression.Core.Tensors;

namespace DeepImpression.Core.Tests.Serialization;

[TestFixture]
public class NpzFileTests
{
    private string _folder = "";

    [SetUp]
    public void CreateFolder() => _folder = Directory.CreateTempSubdirectory("npz-test-").FullName;

    [TearDown]
    public void DeleteFolder() => Directory.Delete(_folder, recursive: true);

    private string PathOf(string name) => Path.Combine(_folder, name);

    [Test]
    public void A_hand_built_npz_with_a_stored_and_a_deflated_entry_and_a_version_2_header_reads_right()
    {
        var weights = Enumerable.Range(0, 32 * 49).Select(i => (float)Math.Sin(i) * 0.1f).ToArray();
        var zip = new HandZip()
            .Stored("aud/conv1_relu/conv/W.npy", HandNpy.Build("{'descr': '<f4', 'fortran_order': False, 'shape': (32, 1, 1, 49), }", HandNpy.LittleEndianFloats(weights)))
            .Deflated("fc/b.npy", HandNpy.Build("{'descr': '<f4', 'fortran_order': False, 'shape': (5,), }", HandNpy.LittleEndianFloats(0.5f, -1, 2, 0, 3.25f), major: 2))
            .Deflated("updater/iteration.npy", HandNpy.Build("{'descr': '<i8', 'fortran_order': False, 'shape': (), }", HandNpy.LittleEndianLongs(4200)));
        var path = PathOf("hand.npz");
        File.WriteAllBytes(path, zip.ToArray());

        var arrays = NpzFile.Read(path);

        Assert.That(arrays.Keys, Is.EqualTo(new[] { "aud/conv1_relu/conv/W", "fc/b", "updater/iteration" }));
        Assert.That(arrays["aud/conv1_relu/conv/W"].Shape, Is.EqualTo(new Shape(32, 1, 1, 49)));
        Assert.That(arrays["aud/conv1_relu/conv/W"].AsFloat32(), Is.EqualTo(weights));
        Assert.That(arrays["fc/b"].AsFloat32(), Is.EqualTo(new[] { 0.5f, -1, 2, 0, 3.25f }));
        Assert.That(arrays["updater/iteration"].Shape.Rank, Is.Zero);
        Assert.That(arrays["updater/iteration"].AsInt64(), Is.EqualTo(new[] { 4200L }));
    }

    [TestCase(false)]
    [TestCase(true)]
    public void Written_arrays_read_back_exactly_and_the_file_is_deterministic(bool compress)
    {
        var random = new Random(42);
        var arrays = new List<(string, NpyArray)>
        {
            ("vis/res2a_relu/res_branch2a/W", new NpyArray(Enumerable.Range(0, 32 * 32 * 9).Select(_ => (float)random.NextDouble() - 0.5f).ToArray(), new Shape(32, 32, 3, 3))),
            ("vis/res2a_relu/bn_branch2a/avg_var", new NpyArray(Enumerable.Range(0, 32).Select(_ => random.NextDouble()).ToArray(), new Shape(32))),
            ("optimizer/t", NpyArray.Scalar(17L)),
            ("state/config", NpyArray.Utf8("{\"seed\": 1}")),
            ("state/flags", new NpyArray([true, false], new Shape(2))),
            ("empty", new NpyArray(Array.Empty<float>(), new Shape(0))),
        };
        var path = PathOf("a.npz");

        NpzFile.Write(path, arrays, compress);
        var back = NpzFile.Read(path);

        Assert.That(back.Keys, Is.EqualTo(arrays.Select(a => a.Item1)));
        foreach (var (key, array) in arrays)
        {
            Assert.That(back[key].DataType, Is.EqualTo(array.DataType), key);
            Assert.That(back[key].Shape, Is.EqualTo(array.Shape), key);
            Assert.That(back[key].Bytes.ToArray(), Is.EqualTo(array.Bytes.ToArray()), key);
        }

        var first = File.ReadAllBytes(path);
        NpzFile.Write(PathOf("b.npz"), arrays, compress);
        Assert.That(File.ReadAllBytes(PathOf("b.npz")), Is.EqualTo(first));
    }

    [Test]
    public void The_archive_reads_arrays_on_demand()
    {
        var path = PathOf("lazy.npz");
        NpzFile.Write(path, new Dictionary<string, NpyArray> { ["a"] = NpyArray.Scalar(1.0), ["b/c"] = NpyArray.Vector([2f, 3f]) });

        using var archive = NpzArchive.Open(path);

        Assert.That(archive.Keys, Is.EqualTo(new[] { "a", "b/c" }));
        Assert.That(archive.Contains("b/c"), Is.True);
        Assert.That(archive.Read("b/c").AsFloat32(), Is.EqualTo(new[] { 2f, 3f }));
        Assert.That(() => archive.Read("nope"), Throws.TypeOf<InvalidInputException>().With.Message.Contains("'nope'"));
    }

    [Test]
    public void Every_truncation_of_an_npz_is_one_error_naming_the_file()
    {
        var path = PathOf("model.npz");
        NpzFile.Write(path, [("w", NpyArray.Vector(Enumerable.Range(0, 300).Select(i => (float)i).ToArray())), ("n", NpyArray.Scalar(3L))], compress: true);
        var whole = File.ReadAllBytes(path);
        var cutPath = PathOf("cut.npz");
        for (var length = 0; length < whole.Length; length += 7)
        {
            File.WriteAllBytes(cutPath, whole[..length]);
            var error = Assert.Throws<InvalidInputException>(() => NpzFile.Read(cutPath), $"cut at {length}")!;
            Assert.That(error.Message, Does.StartWith(cutPath + ": "), $"cut at {length}");
            Assert.That(error.Message, Does.Not.Contain('\n'), $"cut at {length}");
        }
    }

    [Test]
    public void Corrupt_deflated_data_is_an_error_naming_the_file_and_the_key()
    {
        var values = Enumerable.Range(0, 4000).Select(i => (float)(i % 17)).ToArray();
        var zip = new HandZip().Deflated("aud/fc/W.npy", HandNpy.Build("{'descr': '<f4', 'fortran_order': False, 'shape': (4000,), }", HandNpy.LittleEndianFloats(values))).ToArray();
        // Overwrite the middle of the deflated payload (it starts after the 30-byte local header and the name).
        for (var i = 60; i < 90; i++) zip[i] = 0xFF;
        var path = PathOf("corrupt.npz");
        File.WriteAllBytes(path, zip);

        var error = Assert.Throws<InvalidInputException>(() => NpzFile.Read(path))!;

        Assert.That(error.Message, Does.StartWith($"{path}: array 'aud/fc/W': "));
    }

    [Test]
    public void A_stored_entry_whose_data_is_shorter_than_its_shape_is_refused_naming_the_key()
    {
        var npy = HandNpy.Build("{'descr': '<f4', 'fortran_order': False, 'shape': (10,), }", HandNpy.LittleEndianFloats(1, 2, 3));
        var path = PathOf("short.npz");
        File.WriteAllBytes(path, new HandZip().Stored("fc/W.npy", npy).ToArray());

        var error = Assert.Throws<InvalidInputException>(() => NpzFile.Read(path))!;

        Assert.That(error.Message, Does.StartWith($"{path}: array 'fc/W': truncated"));
    }

    [Test]
    public void Not_a_zip_and_a_zip_of_other_files_are_refused()
    {
        var notZip = PathOf("text.npz");
        File.WriteAllText(notZip, "hello, this is not a zip file at all");
        Assert.That(() => NpzFile.Read(notZip), Throws.TypeOf<InvalidInputException>().With.Message.StartsWith(notZip + ": not a readable .npz"));

        var other = PathOf("other.npz");
        File.WriteAllBytes(other, new HandZip().Stored("readme.txt", "hi"u8.ToArray()).ToArray());
        Assert.That(() => NpzFile.Read(other), Throws.TypeOf<InvalidInputException>().With.Message.Contains("'readme.txt' is not an .npy array"));

        var badMagic = PathOf("magic.npz");
        File.WriteAllBytes(badMagic, new HandZip().Stored("x.npy", "not numpy at all"u8.ToArray()).ToArray());
        Assert.That(() => NpzFile.Read(badMagic), Throws.TypeOf<InvalidInputException>().With.Message.StartsWith($"{badMagic}: array 'x': not an .npy array"));

        Assert.That(() => NpzFile.Read(PathOf("absent.npz")), Throws.TypeOf<InvalidInputException>().With.Message.Contains("file not found"));
    }

    [Test]
    public void A_failed_write_leaves_the_previous_file_intact()
    {
        var path = PathOf("checkpoint.npz");
        NpzFile.Write(path, [("w", NpyArray.Vector([1f, 2f]))]);
        var before = File.ReadAllBytes(path);

        IEnumerable<(string, NpyArray)> Failing()
        {
            yield return ("w", NpyArray.Vector([9f, 9f]));
            throw new IOException("disk on fire");
        }

        Assert.That(() => NpzFile.Write(path, Failing()), Throws.TypeOf<IOException>());
        Assert.That(() => NpzFile.Write(path, [("a", NpyArray.Scalar(1L)), ("a", NpyArray.Scalar(2L))]), Throws.ArgumentException);

        Assert.That(File.ReadAllBytes(path), Is.EqualTo(before));
        Assert.That(Directory.GetFiles(_folder), Is.EqualTo(new[] { path }));
    }

    [Test]
    public void A_flipped_byte_in_a_stored_entry_fails_the_CRC_check()
    {
        var zip = new HandZip().Stored("w.npy", HandNpy.Build("{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }", HandNpy.LittleEndianFloats(1, 2, 3, 4))).ToArray();
        // The last element's last byte, just before the central directory header (46 + name) and the end record (22).
        zip[zip.Length - 22 - (46 + 5) - 1] ^= 0x01;
        var path = PathOf("flipped.npz");
        File.WriteAllBytes(path, zip);

        var error = Assert.Throws<InvalidInputException>(() => NpzFile.Read(path))!;

        Assert.That(error.Message, Does.StartWith($"{path}: array 'w': corrupt"));
    }

    [TestCase(false)]
    [TestCase(true)]
    public void Corrupted_bytes_never_escape_as_anything_but_InvalidInputException(bool compress)
    {
        var path = PathOf("fuzz.npz");
        NpzFile.Write(path, [("a/W", NpyArray.Vector(Enumerable.Range(0, 64).Select(i => i * 0.25f).ToArray())), ("n", NpyArray.Scalar(5L))], compress);
        var whole = File.ReadAllBytes(path);
        var random = new Random(77);
        var corruptPath = PathOf("corrupt.npz");
        for (var trial = 0; trial < 400; trial++)
        {
            var corrupt = (byte[])whole.Clone();
            for (var flips = random.Next(1, 4); flips > 0; flips--) corrupt[random.Next(corrupt.Length)] ^= (byte)random.Next(1, 256);
            File.WriteAllBytes(corruptPath, corrupt);
            try
            {
                NpzFile.Read(corruptPath);
            }
            catch (InvalidInputException e)
            {
                Assert.That(e.Message, Does.StartWith(corruptPath + ": "), $"trial {trial}");
            }
        }
    }
}
