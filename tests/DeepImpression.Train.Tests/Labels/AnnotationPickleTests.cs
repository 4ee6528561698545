using System.Globalization;
using System.Text.Json;
using DeepImpression.Core;
using DeepImpression.Tests.Shared;
using DeepImpression.Train.Data.Labels;

namespace DeepImpression.Train.Tests.Labels;

[TestFixture]
public class AnnotationPickleTests
{
    private string _folder = "";

    [SetUp]
    public void CreateFolder() => _folder = Directory.CreateTempSubdirectory("labels-test-").FullName;

    [TearDown]
    public void DeleteFolder() => Directory.Delete(_folder, recursive: true);

    [TestCase("annotation_training.pkl", 6000)]
    [TestCase("annotation_validation.pkl", 2000)]
    public void The_official_label_files_read_with_five_traits_and_interview_in_range(string name, int clips)
    {
        var path = name.Contains("training") ? ChaLearnLabelFiles.Training : ChaLearnLabelFiles.Validation;

        var labels = AnnotationFiles.Read(path);

        Assert.That(labels.Count, Is.EqualTo(clips));
        Assert.That(labels.Interview, Is.Not.Null);
        Assert.That(labels.Interview!.Keys, Is.EquivalentTo(labels.Clips.Keys));
        Assert.That(labels.Clips.Keys, Has.All.Matches<string>(c => c.EndsWith(".mp4", StringComparison.Ordinal)));
        foreach (var scores in labels.Clips.Values)
            Assert.That(scores.ToArray(), Has.All.InRange(0f, 1f));
        Assert.That(labels.Interview.Values, Has.All.InRange(0f, 1f));
        // The values really vary: not all read as one constant.
        for (var t = 0; t < TraitScores.Count; t++)
            Assert.That(labels.Clips.Values.Select(s => s[t]).Distinct().Count(), Is.GreaterThan(50), TraitScores.Names[t]);
    }

    [Test]
    public void The_official_files_agree_with_what_numpy_reads_from_them()
    {
        var path = ChaLearnLabelFiles.Validation;
        var python = PythonWithNumpy.Run("""
            import json, pickle, sys
            d = pickle.load(open(sys.argv[1], 'rb'), encoding='latin1')
            print(json.dumps({k: {c: repr(float(v)) for c, v in d[k].items()} for k in d}))
            """, path);
        var expected = JsonSerializer.Deserialize<Dictionary<string, Dictionary<string, string>>>(python)!;

        var columns = AnnotationPickle.ReadColumns(path);

        Assert.That(columns.Select(c => c.Key), Is.EqualTo(expected.Keys));
        foreach (var column in columns)
        {
            Assert.That(column.Values.Select(v => v.Key), Is.EqualTo(expected[column.Key].Keys), column.Key);
            foreach (var (clip, value) in column.Values)
                Assert.That(value, Is.EqualTo(double.Parse(expected[column.Key][clip], CultureInfo.InvariantCulture)), $"{column.Key} {clip}");
        }
    }

    [Test]
    public void Rewriting_the_official_files_reproduces_them_byte_for_byte()
    {
        // The strongest check of the writer's layout: memo numbering, SETITEMS batches of 1000, the numpy.float64
        // encoding with its global and dtype referred back to, all exactly as Python 2 wrote them.
        foreach (var path in new[] { ChaLearnLabelFiles.Training, ChaLearnLabelFiles.Validation })
        {
            var original = File.ReadAllBytes(path);
            using var rewritten = new MemoryStream();

            AnnotationPickle.WriteColumns(rewritten, AnnotationPickle.ReadColumns(path), "memory");

            Assert.That(rewritten.ToArray(), Is.EqualTo(original), path);
        }
    }

    [Test]
    public void The_mean_predictor_baseline_on_the_validation_labels_is_about_0_883()
    {
        var training = AnnotationFiles.Read(ChaLearnLabelFiles.Training);
        var validation = AnnotationFiles.Read(ChaLearnLabelFiles.Validation);

        var accuracy = LabelStatistics.ConstantPredictorAccuracy(validation, LabelStatistics.TraitMeans(training));

        // An independent naive computation of the same quantity.
        for (var t = 0; t < TraitScores.Count; t++)
        {
            var trait = t;
            var mean = training.Clips.Values.Average(s => (double)s[trait]);
            var naive = 1 - validation.Clips.Values.Average(s => Math.Abs(s[trait] - mean));
            Assert.That(accuracy[t], Is.EqualTo(naive).Within(1e-9), TraitScores.Names[t]);
        }
        Assert.That(accuracy.Average(), Is.InRange(0.87, 0.90));
    }

    [TestCase(true)]
    [TestCase(false)]
    public void Written_labels_read_back_the_same(bool withInterview)
    {
        var labels = LabelSamples.Random(2500, seed: 7, withInterview);
        var path = Path.Combine(_folder, "annotation_training.pkl");

        AnnotationFiles.WritePickle(path, labels);
        var back = AnnotationFiles.Read(path);

        LabelSamples.AssertSame(back, labels);
        Assert.That(back.Source, Is.EqualTo(path));
    }

    [Test]
    public void Numpy_reads_what_the_writer_writes_with_the_official_types()
    {
        var labels = LabelSamples.Random(1200, seed: 3, withInterview: true);
        var path = Path.Combine(_folder, "annotation_validation.pkl");
        AnnotationFiles.WritePickle(path, labels);

        var python = PythonWithNumpy.Run("""
            import json, pickle, sys
            d = pickle.load(open(sys.argv[1], 'rb'), encoding='latin1')
            print(json.dumps({k: {c: [repr(float(v)), type(v).__module__ + '.' + type(v).__name__] for c, v in d[k].items()} for k in d}))
            """, path);
        var read = JsonSerializer.Deserialize<Dictionary<string, Dictionary<string, string[]>>>(python)!;

        Assert.That(read.Keys, Is.EqualTo(new[] { "extraversion", "neuroticism", "agreeableness", "conscientiousness", "interview", "openness" }));
        foreach (var (key, values) in read)
        {
            Assert.That(values.Keys, Is.EqualTo(labels.Clips.Keys), key);
            foreach (var (clip, (text, type)) in values.Select(kv => (kv.Key, (kv.Value[0], kv.Value[1]))))
            {
                var expected = key == "interview" ? labels.Interview![clip] : labels.Clips[clip][Array.IndexOf(TraitScores.Names.Select(n => n.ToLowerInvariant()).ToArray(), key)];
                Assert.That(double.Parse(text, CultureInfo.InvariantCulture), Is.EqualTo((double)expected), $"{key} {clip}");
                Assert.That(type, Is.EqualTo(key == "interview" ? "numpy.float64" : "builtins.float"), key);
            }
        }
    }

    [Test]
    public void A_protocol_2_pickle_written_by_Python_3_reads()
    {
        // Python 3 writes str keys as BINUNICODE; the traits are plain floats.
        var path = Path.Combine(_folder, "py3.pkl");
        PythonWithNumpy.Run("""
            import pickle, sys
            clips = ['x1.000.mp4', 'x2.001.mp4', 'x3.002.mp4']
            names = ['extraversion', 'agreeableness', 'conscientiousness', 'neuroticism', 'openness']
            d = {n: {c: (i * 3 + j) / 16.0 for j, c in enumerate(clips)} for i, n in enumerate(names)}
            pickle.dump(d, open(sys.argv[1], 'wb'), protocol=2)
            """, path);

        var labels = AnnotationFiles.Read(path);

        Assert.That(labels.Clips.Keys, Is.EqualTo(new[] { "x1.000.mp4", "x2.001.mp4", "x3.002.mp4" }));
        Assert.That(labels.Interview, Is.Null);
        Assert.That(labels.Clips["x2.001.mp4"], Is.EqualTo(new TraitScores(1 / 16f, 4 / 16f, 7 / 16f, 10 / 16f, 13 / 16f)));
        Assert.That(labels.Clips["x3.002.mp4"], Is.EqualTo(new TraitScores(2 / 16f, 5 / 16f, 8 / 16f, 11 / 16f, 14 / 16f)));
    }

    [Test]
    public void A_NaN_label_is_refused_naming_the_file_and_the_clip()
    {
        var error = Assert.Throws<InvalidInputException>(() => ReadWritten(Columns(("b.mp4", "neuroticism", double.NaN))))!;
        Assert.That(error.Message, Does.Contain("nan.pkl").And.Contain("b.mp4").And.Contain("neuroticism").And.Contain("NaN"));
    }

    [Test]
    public void A_label_outside_zero_to_one_is_refused()
    {
        var error = Assert.Throws<InvalidInputException>(() => ReadWritten(Columns(("a.mp4", "openness", 1.25))))!;
        Assert.That(error.Message, Does.Contain("a.mp4").And.Contain("openness").And.Contain("1.25").And.Contain("outside [0, 1]"));
    }

    [Test]
    public void A_clip_missing_one_trait_is_refused_naming_the_clip()
    {
        var columns = Columns().Select(c => c.Key == "agreeableness" ? c with { Values = c.Values.Where(v => v.Key != "b.mp4").ToList() } : c).ToList();
        var error = Assert.Throws<InvalidInputException>(() => ReadWritten(columns))!;
        Assert.That(error.Message, Does.Contain("b.mp4").And.Contain("agreeableness"));
    }

    [Test]
    public void A_clip_twice_in_one_entry_is_refused()
    {
        var columns = Columns().Select(c => c.Key == "openness" ? c with { Values = [.. c.Values, KeyValuePair.Create("a.mp4", 0.5)] } : c).ToList();
        var error = Assert.Throws<InvalidInputException>(() => ReadWritten(columns))!;
        Assert.That(error.Message, Does.Contain("a.mp4").And.Contain("twice"));
    }

    [Test]
    public void A_missing_trait_entry_is_refused()
    {
        var error = Assert.Throws<InvalidInputException>(() => ReadWritten(Columns().Where(c => c.Key != "conscientiousness").ToList()))!;
        Assert.That(error.Message, Does.Contain("'conscientiousness'"));
    }

    [Test]
    public void Writing_labels_with_a_NaN_is_refused_and_leaves_no_file()
    {
        var labels = new LabelSet(new Dictionary<string, TraitScores> { ["a.mp4"] = new(0.5f, float.NaN, 0.5f, 0.5f, 0.5f) });
        var path = Path.Combine(_folder, "out.pkl");

        var error = Assert.Throws<InvalidInputException>(() => AnnotationFiles.WritePickle(path, labels))!;

        Assert.That(error.Message, Does.Contain("a.mp4").And.Contain("agreeableness"));
        Assert.That(Directory.GetFiles(_folder), Is.Empty);
    }

    [Test]
    public void A_truncated_official_file_is_one_clear_error()
    {
        var original = File.ReadAllBytes(ChaLearnLabelFiles.Validation);
        var path = Path.Combine(_folder, "annotation_validation.pkl");
        File.WriteAllBytes(path, original[..(original.Length / 3)]);

        var error = Assert.Throws<InvalidInputException>(() => AnnotationFiles.Read(path))!;

        Assert.That(error.Message, Does.StartWith($"{path}: truncated"));
    }

    [Test]
    public void A_missing_file_is_one_clear_error()
    {
        var path = Path.Combine(_folder, "absent.pkl");
        var error = Assert.Throws<InvalidInputException>(() => AnnotationFiles.Read(path))!;
        Assert.That(error.Message, Is.EqualTo($"{path}: file not found."));
    }

    // Two clips with distinct valid values, plus the given overrides.
    private static List<AnnotationColumn> Columns(params (string Clip, string Key, double Value)[] overrides)
    {
        string[] keys = ["extraversion", "neuroticism", "agreeableness", "conscientiousness", "openness"];
        return keys.Select((key, k) => new AnnotationColumn(key, new[] { "a.mp4", "b.mp4" }.Select((clip, c) =>
        {
            var value = overrides.Where(o => o.Clip == clip && o.Key == key).Select(o => o.Value).DefaultIfEmpty((k * 2 + c) / 10.0).First();
            return KeyValuePair.Create(clip, value);
        }).ToList())).ToList();
    }

    private LabelSet ReadWritten(IReadOnlyList<AnnotationColumn> columns)
    {
        var path = Path.Combine(_folder, "nan.pkl");
        using (var file = File.Create(path)) AnnotationPickle.WriteColumns(file, columns, path);
        return AnnotationFiles.Read(path);
    }
}
