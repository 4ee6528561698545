using System.Text;
using DeepImpression.Core;
using DeepImpression.Train.Data.Labels;
using DeepImpression.Train.Data.Labels.Pickle;
using DeepImpression.Train.Tests.Commands;
using DeepImpression.Train.Tests.Data;

namespace DeepImpression.Train.Tests.Labels;

/// <summary>Label files made to hurt: endless nesting, no clips, another encoding (issue 16, items 2 and 11).</summary>
[TestFixture]
[NonParallelizable]
public class HostileLabelFileTests
{
    private const string OwnHeader = "clip,extraversion,agreeableness,conscientiousness,neuroticism,openness\n";

    private static void AssertOneLineError((int Code, string Out, string Err) result, string expected)
    {
        Assert.That(result.Code, Is.EqualTo(2), result.Err);
        Assert.That(result.Err, Is.EqualTo($"error: {expected}\n"));
    }

    [Test]
    public void The_deeply_nested_pickle_of_the_issue_is_refused_at_the_depth_bound()
    {
        // b'\x80\x02N' + b'\x85' * 100000 + b'N\x85R.': a tuple nested 100,000 deep used to overflow the stack.
        using var folder = new ScratchFolder("labels");
        var bytes = new byte[] { 0x80, 2, (byte)'N' }.Concat(Enumerable.Repeat((byte)0x85, 100_000)).Concat(new byte[] { (byte)'N', 0x85, (byte)'R', (byte)'.' }).ToArray();
        File.WriteAllBytes(folder["deep.pkl"], bytes);

        // Refused at the 33rd TUPLE1 (byte 3 + 32): the depth bound, not the end of the file, stops it.
        string expected = $"{folder["deep.pkl"]}: opcode TUPLE1 (0x85) at byte {3 + PickleReader.MaxDepth}: values nested more than {PickleReader.MaxDepth} levels deep (the annotation files nest 2).";
        AssertOneLineError(Cli.Run("labels", folder["deep.pkl"]), expected);
        Directory.CreateDirectory(folder["videos"]);
        AssertOneLineError(Cli.Run("prepare", "--videos", folder["videos"], "--labels", folder["deep.pkl"], "--out", folder["cache"]), expected);
    }

    [Test]
    public void A_dict_that_holds_itself_is_refused_at_the_depth_bound_instead_of_walked_forever()
    {
        // d = {}; d[None] = d, forty times, through the memo: a cycle that any walk of the value would follow forever.
        var p = new HandPickle().Raw(0x80, 2, (byte)'}', (byte)'q', 0);
        for (int i = 0; i < 40; i++) p.Raw((byte)'N', (byte)'h', 0, (byte)'s');
        p.Raw((byte)'.');
        var e = Assert.Throws<InvalidInputException>(() => PickleReader.Read(p.ToArray(), "cycle.pkl"));
        Assert.That(e!.Message, Does.StartWith("cycle.pkl: opcode SETITEM (0x73)").And.Contain($"more than {PickleReader.MaxDepth} levels deep"));
    }

    [Test]
    public void A_label_file_without_clips_is_refused()
    {
        using var folder = new ScratchFolder("labels");
        File.WriteAllText(folder["header.csv"], OwnHeader);
        AssertOneLineError(Cli.Run("labels", folder["header.csv"]), $"{folder["header.csv"]}: a header but no clips.");

        AnnotationFiles.WritePickle(folder["one.pkl"], LabelSamples.Random(1, seed: 3, withInterview: false));
        var columns = AnnotationPickle.ReadColumns(folder["one.pkl"]).Select(c => new AnnotationColumn(c.Key, [])).ToList();
        using (var stream = File.Create(folder["empty.pkl"])) AnnotationPickle.WriteColumns(stream, columns, "empty.pkl");
        AssertOneLineError(Cli.Run("labels", folder["empty.pkl"]), $"{folder["empty.pkl"]}: no clips (every entry is empty).");
    }

    [Test]
    public void A_label_csv_in_windows_1252_is_refused_naming_the_line_and_how_it_reads()
    {
        using var folder = new ScratchFolder("labels");
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        File.WriteAllBytes(folder["excel.csv"], Encoding.GetEncoding(1252).GetBytes(OwnHeader + "plain000000.000.mp4,0.1,0.2,0.3,0.4,0.5\r\nJosé0000000.000.mp4,0.5,0.5,0.5,0.5,0.5\r\n"));
        AssertOneLineError(Cli.Run("labels", folder["excel.csv"]),
            $"{folder["excel.csv"]}: line 3 is not UTF-8 (byte 0xE9); it looks like Windows-1252 or Latin-1, where it reads 'José0000000.000.mp4,0.5,0.5,0.5,0.5,0.5'. Save the file as UTF-8.");

        File.WriteAllBytes(folder["utf16.csv"], Encoding.Unicode.GetPreamble().Concat(Encoding.Unicode.GetBytes(OwnHeader)).ToArray());
        AssertOneLineError(Cli.Run("labels", folder["utf16.csv"]), $"{folder["utf16.csv"]}: the file is UTF-16; save it as UTF-8.");

        // The same names in UTF-8 (with or without a byte order mark) read as they are.
        File.WriteAllText(folder["utf8.csv"], OwnHeader + "José0000000.000.mp4,0.5,0.5,0.5,0.5,0.5\n", new UTF8Encoding(true));
        Assert.That(AnnotationFiles.Read(folder["utf8.csv"]).Clips.Keys.Single(), Is.EqualTo("José0000000.000.mp4"));
    }

    [Test]
    [Platform("Linux")]
    public void A_fifo_named_like_a_label_file_is_refused_instead_of_waited_on()
    {
        using var folder = new ScratchFolder("labels");
        string fifo = TestMedia.MakeFifo(folder["annotation_training.pkl"]);
        AssertOneLineError(Cli.Run("labels", fifo), $"{fifo}: not a regular file but a FIFO (named pipe); a label file must be a file.");
    }
}
