using DeepImpression.Core;
using DeepImpression.Train.Data.Labels;

namespace DeepImpression.Train.Tests.Labels;

[TestFixture]
public class AnnotationCsvTests
{
    private string _folder = "";

    [SetUp]
    public void CreateFolder() => _folder = Directory.CreateTempSubdirectory("labels-csv-test-").FullName;

    [TearDown]
    public void DeleteFolder() => Directory.Delete(_folder, recursive: true);

    private string Write(string name, string text)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Test]
    public void The_first_release_CSV_with_its_misspelled_header_reads()
    {
        var path = Write("training_gt.csv", """
            VideoName,ValueExtraversion,ValueAgreeableness,ValueConscientiousness,ValueNeurotisicm,ValueOpenness
            -2qsCrkXdWs.001.mp4,0.5,0.25,0.75,0.125,1
            J4GQm9j0JZ0.003.mp4,0.523364485981,0,0.3,0.4,0.6
            """);

        var labels = AnnotationFiles.Read(path);

        Assert.That(labels.Clips.Keys, Is.EqualTo(new[] { "-2qsCrkXdWs.001.mp4", "J4GQm9j0JZ0.003.mp4" }));
        Assert.That(labels.Clips["-2qsCrkXdWs.001.mp4"], Is.EqualTo(new TraitScores(0.5f, 0.25f, 0.75f, 0.125f, 1f)));
        Assert.That(labels.Clips["J4GQm9j0JZ0.003.mp4"], Is.EqualTo(new TraitScores(0.523364485981f, 0f, 0.3f, 0.4f, 0.6f)));
        Assert.That(labels.Interview, Is.Null);
    }

    [Test]
    public void Our_CSV_reads_with_columns_in_any_order_and_an_interview_column()
    {
        var path = Write("labels.csv", "clip,openness,interview,neuroticism,conscientiousness,agreeableness,extraversion\r\na.mp4,0.1,0.9,0.2,0.3,0.4,0.5\r\n\r\n");

        var labels = AnnotationFiles.Read(path);

        Assert.That(labels.Clips["a.mp4"], Is.EqualTo(new TraitScores(0.5f, 0.4f, 0.3f, 0.2f, 0.1f)));
        Assert.That(labels.Interview!["a.mp4"], Is.EqualTo(0.9f));
    }

    [TestCase(true)]
    [TestCase(false)]
    public void Our_CSV_round_trips_exactly(bool withInterview)
    {
        var labels = LabelSamples.Random(500, seed: 11, withInterview);
        var path = Path.Combine(_folder, "labels.csv");

        AnnotationFiles.WriteCsv(path, labels);

        LabelSamples.AssertSame(AnnotationFiles.Read(path), labels);
        Assert.That(File.ReadLines(path).First(), Is.EqualTo(withInterview
            ? "clip,extraversion,agreeableness,conscientiousness,neuroticism,openness,interview"
            : "clip,extraversion,agreeableness,conscientiousness,neuroticism,openness"));
    }

    [Test]
    public void The_official_CSV_layout_round_trips_and_has_the_official_header()
    {
        var labels = LabelSamples.Random(300, seed: 5, withInterview: true);
        var path = Path.Combine(_folder, "predictions.csv");

        AnnotationFiles.WriteOfficialCsv(path, labels);
        var back = AnnotationFiles.Read(path);

        Assert.That(File.ReadLines(path).First(), Is.EqualTo("VideoName,ValueExtraversion,ValueAgreeableness,ValueConscientiousness,ValueNeurotisicm,ValueOpenness"));
        LabelSamples.AssertSame(back, labels, compareInterview: false);
        Assert.That(back.Interview, Is.Null);
    }

    [Test]
    public void A_missing_trait_column_is_refused_naming_it()
    {
        var path = Write("short.csv", "VideoName,ValueExtraversion,ValueAgreeableness,ValueConscientiousness,ValueOpenness\na.mp4,0.1,0.2,0.3,0.4\n");
        var error = Assert.Throws<InvalidInputException>(() => AnnotationFiles.Read(path))!;
        Assert.That(error.Message, Does.StartWith(path).And.Contain("'ValueNeurotisicm' is missing"));
    }

    [Test]
    public void A_NaN_value_is_refused_naming_the_clip()
    {
        var path = Write("nan.csv", "clip,extraversion,agreeableness,conscientiousness,neuroticism,openness\na.mp4,0.1,0.2,0.3,0.4,0.5\nb.mp4,0.1,NaN,0.3,0.4,0.5\n");
        var error = Assert.Throws<InvalidInputException>(() => AnnotationFiles.Read(path))!;
        Assert.That(error.Message, Does.StartWith(path).And.Contain("b.mp4").And.Contain("agreeableness").And.Contain("NaN"));
    }

    [TestCase("b.mp4,0.1,0.2,,0.4,0.5", "no conscientiousness value")]
    [TestCase("b.mp4,0.1,0.2,0.3,0.4", "has 5 fields")]
    [TestCase("b.mp4,0.1,0.2,0.3,0.4,high", "'high' is not a number")]
    [TestCase("b.mp4,0.1,0.2,0.3,-0.5,0.5", "outside [0, 1]")]
    [TestCase("b.mp4,0.1,0.2,0.3,0.4,Infinity", "not a number in [0, 1]")]
    [TestCase("a.mp4,0.1,0.2,0.3,0.4,0.5", "appears twice")]
    public void A_bad_row_is_refused_naming_the_file_and_the_clip(string row, string problem)
    {
        var path = Write("bad.csv", $"clip,extraversion,agreeableness,conscientiousness,neuroticism,openness\na.mp4,0.1,0.2,0.3,0.4,0.5\n{row}\n");
        var error = Assert.Throws<InvalidInputException>(() => AnnotationFiles.Read(path))!;
        Assert.That(error.Message, Does.StartWith(path).And.Contain(row.Split(',')[0]).And.Contain(problem));
    }

    [TestCase("", "no header")]
    [TestCase("name,a,b\nx,1,2\n", "unknown header")]
    [TestCase("clip,extraversion,agreeableness,conscientiousness,neuroticism,openness,charisma\n", "unknown column 'charisma'")]
    [TestCase("clip,extraversion,agreeableness,conscientiousness,neuroticism,openness,openness\n", "appears twice")]
    public void A_bad_header_is_refused(string text, string problem)
    {
        var path = Write("header.csv", text);
        var error = Assert.Throws<InvalidInputException>(() => AnnotationFiles.Read(path))!;
        Assert.That(error.Message, Does.StartWith(path).And.Contain(problem));
    }

    [Test]
    public void Malformed_quoting_is_one_clear_error()
    {
        var path = Write("quotes.csv", "clip,extraversion,agreeableness,conscientiousness,neuroticism,openness\n\"a.mp4,0.1,0.2,0.3,0.4,0.5\n");
        var error = Assert.Throws<InvalidInputException>(() => AnnotationFiles.Read(path))!;
        Assert.That(error.Message, Does.StartWith(path));
    }
}
