using System.Text.Json;
using DeepImpression.Core.Serialization;
using DeepImpression.Core.Tensors;
using DeepImpression.Tests.Shared;

namespace DeepImpression.Core.Tests.Serialization;

/// <summary>numpy reads what we write and we read what numpy writes, compared bit for bit. Ignored, with the reason,
/// where no python3 with numpy is installed.</summary>
[TestFixture]
public class NpzNumpyInteropTests
{
    private string _folder = "";

    [SetUp]
    public void CreateFolder() => _folder = Directory.CreateTempSubdirectory("npz-numpy-").FullName;

    [TearDown]
    public void DeleteFolder() => Directory.Delete(_folder, recursive: true);

    // Prints, for each key of an npz, numpy's dtype, shape and the elements' little-endian bytes as hex, and the zip
    // compression method of its entry.
    private const string Describe = """
        import json, sys, zipfile, numpy as np
        path = sys.argv[1]
        methods = {i.filename: i.compress_type for i in zipfile.ZipFile(path).infolist()}
        with np.load(path) as f:
            out = {k: [f[k].dtype.str, list(f[k].shape), f[k].astype(f[k].dtype.newbyteorder('<')).tobytes().hex(), methods[k + '.npy']] for k in f.files}
        print(json.dumps(out))
        """;

    private static Dictionary<string, JsonElement[]> Run(string script, string path) =>
        JsonSerializer.Deserialize<Dictionary<string, JsonElement[]>>(PythonWithNumpy.Run(script, path))!;

    [TestCase(false, 0)]
    [TestCase(true, 8)]
    public void Numpy_reads_what_we_write(bool compress, int zipMethod)
    {
        var random = new Random(9);
        var arrays = new List<(string Key, NpyArray Array)>
        {
            ("aud/conv1_relu/conv/W", new NpyArray(Enumerable.Range(0, 32 * 49).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray(), new Shape(32, 1, 1, 49))),
            ("aud/conv1_relu/bn_conv/avg_var", new NpyArray([float.NaN, float.PositiveInfinity, -0f, float.Epsilon], new Shape(4))),
            ("optimizer/m", new NpyArray(Enumerable.Range(0, 6).Select(_ => random.NextDouble()).ToArray(), new Shape(2, 3))),
            ("state/step", NpyArray.Scalar(9_007_199_254_740_993L)),
            ("state/lr", NpyArray.Scalar(0.0002)),
            ("state/counts", new NpyArray([int.MinValue, 0, int.MaxValue], new Shape(3))),
            ("state/mask", new NpyArray([true, false, true], new Shape(3))),
            ("state/config", NpyArray.Utf8("{\"alpha\": 0.0002}")),
        };
        var path = Path.Combine(_folder, "ours.npz");
        NpzFile.Write(path, arrays, compress);

        var numpy = Run(Describe, path);

        Assert.That(numpy.Keys, Is.EquivalentTo(arrays.Select(a => a.Key)));
        foreach (var (key, array) in arrays)
        {
            var (dtype, shape, hex, method) = (numpy[key][0].GetString(), numpy[key][1].EnumerateArray().Select(e => e.GetInt32()).ToArray(), numpy[key][2].GetString(), numpy[key][3].GetInt32());
            Assert.That(dtype, Is.EqualTo(array.DataType.Descr()), key);
            Assert.That(shape, Is.EqualTo(array.Shape.ToArray()), key);
            Assert.That(hex, Is.EqualTo(Convert.ToHexStringLower(array.Bytes)), key);
            Assert.That(method, Is.EqualTo(zipMethod), key);
        }
    }

    [TestCase("savez")]
    [TestCase("savez_compressed")]
    public void We_read_what_numpy_writes(string function)
    {
        var path = Path.Combine(_folder, $"{function}.npz");
        var script = $$"""
            import sys, numpy as np
            rng = np.random.default_rng(5)
            arrays = {
                'vis/conv1_relu/conv/W': rng.standard_normal((32, 3, 7, 7)).astype(np.float32),
                'vis/conv1_relu/bn_conv/avg_mean': rng.standard_normal(32),
                'vis/conv1_relu/bn_conv/N': np.array(12345678901, dtype=np.int64),
                'fc/b': np.float32(0.25) * np.arange(5, dtype=np.float32),
                'scalar64': np.array(np.pi),
                'scalar32': np.array(1.5, dtype=np.float32),
                'ints32': np.arange(-3, 3, dtype=np.int32).reshape(2, 3),
                'flags': np.array([True, False]),
                'bytes': np.frombuffer(b'{"k": 1}', dtype=np.uint8),
            }
            np.{{function}}(sys.argv[1], **arrays)
            """;
        PythonWithNumpy.Run(script, path);
        var numpy = Run(Describe, path);

        var ours = NpzFile.Read(path);

        Assert.That(ours.Keys, Is.EquivalentTo(numpy.Keys));
        foreach (var (key, array) in ours)
        {
            Assert.That(array.DataType.Descr(), Is.EqualTo(numpy[key][0].GetString()), key);
            Assert.That(array.Shape.ToArray(), Is.EqualTo(numpy[key][1].EnumerateArray().Select(e => e.GetInt32()).ToArray()), key);
            Assert.That(Convert.ToHexStringLower(array.Bytes), Is.EqualTo(numpy[key][2].GetString()), key);
        }
        Assert.That(ours["vis/conv1_relu/bn_conv/N"].Shape.Rank, Is.Zero);
        Assert.That(ours["vis/conv1_relu/bn_conv/N"].AsInt64()[0], Is.EqualTo(12345678901L));
        Assert.That(ours["bytes"].ToUtf8(), Is.EqualTo("{\"k\": 1}"));
    }

    [Test]
    public void A_Fortran_ordered_array_from_numpy_is_one_clear_error_naming_the_key()
    {
        var path = Path.Combine(_folder, "fortran.npz");
        PythonWithNumpy.Run("""
            import sys, numpy as np
            np.savez(sys.argv[1], ok=np.zeros(3, np.float32), transposed=np.arange(6, dtype=np.float32).reshape(2, 3).T)
            """, path);

        var error = Assert.Throws<InvalidInputException>(() => NpzFile.Read(path))!;

        Assert.That(error.Message, Does.StartWith($"{path}: array 'transposed': ").And.Contain("Fortran order"));
    }

    [Test]
    public void Our_npy_bytes_are_the_bytes_of_np_save()
    {
        // Same header text, padding and alignment as numpy writes, not only the same values.
        var arrays = new (string Name, NpyArray Array, string Python)[]
        {
            ("w", new NpyArray(Enumerable.Range(0, 32 * 49).Select(i => i * 0.5f).ToArray(), new Shape(32, 1, 1, 49)), "np.arange(32 * 49, dtype=np.float32).reshape(32, 1, 1, 49) * np.float32(0.5)"),
            ("n", NpyArray.Scalar(3L), "np.array(3, dtype=np.int64)"),
            ("v", new NpyArray([1.0, 2.0, 3.0], new Shape(3)), "np.array([1.0, 2.0, 3.0])"),
            ("e", new NpyArray(Array.Empty<float>(), new Shape(0, 4)), "np.zeros((0, 4), np.float32)"),
        };
        foreach (var (name, array, _) in arrays) NpyFormat.WriteFile(Path.Combine(_folder, name + ".npy"), array);
        var script = "import sys, numpy as np\n" + string.Join("\n", arrays.Select(a => $"np.save(sys.argv[1] + '/{a.Name}_numpy.npy', {a.Python})"));
        PythonWithNumpy.Run(script, _folder);

        foreach (var (name, _, _) in arrays)
            Assert.That(File.ReadAllBytes(Path.Combine(_folder, name + ".npy")), Is.EqualTo(File.ReadAllBytes(Path.Combine(_folder, name + "_numpy.npy"))), name);
    }
}
