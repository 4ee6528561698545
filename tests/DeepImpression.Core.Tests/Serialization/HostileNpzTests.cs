using System.IO.Compression;
using DeepImpression.Core.Layers;
using DeepImpression.Core.Serialization;
using DeepImpression.Core.Tensors;

namespace DeepImpression.Core.Tests.Serialization;

/// <summary>npz files made to hurt: zip bombs, arrays over 2 GiB, odd names, endless headers (issue 16, items 2, 8, 9).</summary>
[TestFixture]
[NonParallelizable]
public class HostileNpzTests
{
    private string _folder = "";

    [SetUp]
    public void CreateFolder() => _folder = Directory.CreateTempSubdirectory("npz-hostile-").FullName;

    [TearDown]
    public void DeleteFolder() => Directory.Delete(_folder, recursive: true);

    private string PathOf(string name) => Path.Combine(_folder, name);

    private static string Header(string descr, string shape) => $"{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape}, }}";

    /// <summary>An npz whose entries are written as given; <paramref name="zeros"/> bytes of zeros follow an entry's
    /// header without ever being held in memory (a quarter gigabyte deflates to about 2.5 MB).</summary>
    private static void WriteNpz(string path, params (string Name, string Header, byte[] Data, long Zeros)[] entries)
    {
        using var zip = new ZipArchive(File.Create(path), ZipArchiveMode.Create);
        var chunk = new byte[1 << 20];
        foreach (var (name, header, data, zeros) in entries)
        {
            using var stream = zip.CreateEntry(name, CompressionLevel.Fastest).Open();
            stream.Write(HandNpy.Build(header, data));
            for (long left = zeros; left > 0; left -= chunk.Length) stream.Write(chunk, 0, (int)Math.Min(chunk.Length, left));
        }
    }

    [Test]
    public void A_zip_bomb_is_refused_from_names_and_headers_without_inflating_its_data()
    {
        // A model of 15 numbers, and a file that inflates to 512 MB: a mis-shaped W and an array the model has no
        // place for. Names and headers are enough to refuse it; at most what the model holds is ever inflated.
        var model = new Linear(4, 3, new Rng(1), Device.Cpu);
        const long quarterGigabyte = 256L << 20;
        string path = PathOf("bomb.npz");
        WriteNpz(path,
            ("W.npy", Header("<f4", "(67108864,)"), [], quarterGigabyte),
            ("b.npy", Header("<f4", "(3,)"), HandNpy.LittleEndianFloats(1, 2, 3), 0),
            ("junk.npy", Header("|u1", "(268435456,)"), [], quarterGigabyte));
        Assert.That(new FileInfo(path).Length, Is.LessThan((512L << 20) / 50));

        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<InvalidInputException>(() => ModelWeights.Load(path, model));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.That(e!.Message, Does.Contain("W (file (67108864), model (3, 4))").And.Contain("1 unexpected: junk"));
        Assert.That(allocated, Is.LessThan(8L << 20), "the loader inflated data it had already refused");

        // Loaded partially, only b (3 floats) is read; the bomb's 512 MB stay compressed.
        before = GC.GetAllocatedBytesForCurrentThread();
        var report = ModelWeights.Load(path, model, allowPartial: true);
        allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.That(report.Loaded, Is.EqualTo(new[] { "b" }));
        Assert.That(model.NamedState().Single(s => s.Path == "b").Tensor.ToArray(), Is.EqualTo(new[] { 1f, 2f, 3f }));
        Assert.That(allocated, Is.LessThan(8L << 20));
    }

    [Test]
    public void A_checkpoint_bomb_under_training_is_bounded_too()
    {
        // training/ texts are read, but only up to a megabyte; a text that declares 256 MB is refused from its header.
        var model = new Linear(2, 1, new Rng(1), Device.Cpu);
        string path = PathOf("checkpoint.npz");
        Checkpoint.Save(path, model);
        var arrays = NpzFile.Read(path);
        WriteNpz(PathOf("bomb.npz"),
            [.. arrays.Select(a => (a.Key + ".npy", Header(a.Value.DataType.Descr(), $"({string.Join(", ", a.Value.Shape.ToArray())},)"), a.Value.Bytes.ToArray(), 0L)),
             ("training/config.utf8.npy", Header("|u1", "(268435456,)"), [], 256L << 20)]);

        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<InvalidInputException>(() => Checkpoint.Load(PathOf("bomb.npz"), model));
        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.LessThan(8L << 20));
        Assert.That(e!.Message, Is.EqualTo($"{PathOf("bomb.npz")}: 'training/config.utf8' should be UTF-8 text of at most 1,048,576 bytes, not |u1 (268435456)."));
    }

    [Test]
    public void An_array_declaring_more_than_2_GiB_is_one_clear_error_not_an_overflow()
    {
        // 300 million doubles are 2.4 GB: more than one .NET array holds. It used to escape as OverflowException.
        var npy = HandNpy.Build(Header("<f8", "(300000000,)"), new byte[16]);
        var e = Assert.Throws<InvalidInputException>(() => NpyFormat.Read(new MemoryStream(npy), "big.npy"));
        Assert.That(e!.Message, Is.EqualTo($"big.npy: shape (300000000) of <f8 is 2,400,000,000 bytes, more than the {Array.MaxLength:N0} one array can hold."));

        string path = PathOf("big.npz");
        File.WriteAllBytes(path, new HandZip().Stored("fc/W.npy", npy).ToArray());
        using var archive = NpzArchive.Open(path);
        e = Assert.Throws<InvalidInputException>(() => archive.Describe("fc/W"));
        Assert.That(e!.Message, Does.StartWith($"{path}: array 'fc/W': shape (300000000) of <f8 is 2,400,000,000 bytes"));
        Assert.That(() => archive.Read("fc/W"), Throws.TypeOf<InvalidInputException>());
    }

    [Test]
    public void Entry_names_are_checked_before_anything_is_read()
    {
        string control = PathOf("control.npz");
        File.WriteAllBytes(control, new HandZip().Stored("a\u0007b.npy", HandNpy.Build(Header("<f4", "(1,)"), new byte[4])).ToArray());
        var e = Assert.Throws<InvalidInputException>(() => NpzArchive.Open(control).Dispose());
        Assert.That(e!.Message, Is.EqualTo($"{control}: the entry name 'a?b.npy' is not an array key (empty, control characters, or over {NpzArchive.MaxKeyLength} characters)."));

        string empty = PathOf("empty-name.npz");
        File.WriteAllBytes(empty, new HandZip().Stored(".npy", HandNpy.Build(Header("<f4", "(1,)"), new byte[4])).ToArray());
        Assert.That(() => NpzArchive.Open(empty).Dispose(), Throws.TypeOf<InvalidInputException>().With.Message.Contains("not an array key"));
    }

    [Test]
    public void A_deeply_nested_npy_header_is_one_clear_error()
    {
        // The header parser reads flat literals without recursion: nesting is simply not what a header holds.
        foreach (var (dict, problem) in new[]
                 {
                     ("{'descr': '<f4', 'fortran_order': False, 'shape': " + new string('(', 4000) + "1" + new string(')', 4000) + ", }", "expected a dimension"),
                     ("{'descr': " + new string('[', 4000) + "'<f4'" + new string(']', 4000) + ", 'fortran_order': False, 'shape': (1,), }", "structured dtypes"),
                     (new string('{', 9000), "expected a string"),
                 })
        {
            var e = Assert.Throws<InvalidInputException>(() => NpyFormat.Read(new MemoryStream(HandNpy.Build(dict, new byte[4], major: 2)), "deep.npy"));
            Assert.That(e!.Message, Does.StartWith("deep.npy: bad .npy header: ").And.Contain(problem));
            Assert.That(e.Message, Does.Not.Contain("\n"));
        }
        var tooLong = HandNpy.Build("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }" + new string(' ', 20_000), new byte[4], major: 2);
        Assert.That(() => NpyFormat.Read(new MemoryStream(tooLong), "long.npy"),
            Throws.TypeOf<InvalidInputException>().With.Message.Contains("more than the 10000 allowed"));
    }
}
