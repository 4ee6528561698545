using DeepImpression.Core;
using DeepImpression.Core.Serialization;
using DeepImpression.Core.Tensors;
using DeepImpression.Tests.Shared;
using DeepImpression.Train.Analysis.Regions;
using DeepImpression.Train.Data.Decoding;
using DeepImpression.Train.Tests.Data;

namespace DeepImpression.Train.Tests.Analysis;

/// <summary>
/// The region map formats (npz one per video or per frame, 8-bit PNG one per video or per frame, legend JSON or
/// CSV) and one clear error each for unknown ids, wrong sizes and missing frames.
/// </summary>
[TestFixture]
public class RegionMapFolderTests
{
    private static readonly FrameSize Size = new(12, 8);

    /// <summary>Map of frame f: region (x + y + f) % 3.</summary>
    private static byte[] Map(int frame) => [.. Enumerable.Range(0, Size.Width * Size.Height).Select(p => (byte)((p % Size.Width + p / Size.Width + frame) % 3))];

    private static string WithLegend(ScratchFolder folder, string name = RegionLegend.JsonName)
    {
        string dir = folder["maps"];
        Directory.CreateDirectory(dir);
        if (name == RegionLegend.JsonName) File.WriteAllText(Path.Combine(dir, name), """{"0": "background", "1": "face skin", "2": "eyes"}""");
        else File.WriteAllText(Path.Combine(dir, name), "id,name\n0,background\n1,face skin\n2,eyes\n");
        return dir;
    }

    [TestCase(RegionLegend.JsonName), TestCase(RegionLegend.CsvName)]
    public void Per_frame_npz_maps_are_read_for_the_frames_asked(string legend)
    {
        using var folder = new ScratchFolder("regions");
        string dir = WithLegend(folder, legend);
        int[] frames = [3, 10, 17];
        RegionMapFolder.Write(dir, "clip.001.mp4", Size, frames, [.. frames.SelectMany(Map)]);

        var maps = RegionMapFolder.Open(dir);
        Assert.That(maps.Legend.Names.Values, Is.EqualTo(new[] { "background", "face skin", "eyes" }));
        Assert.That(maps.Legend.IdOf("Face Skin"), Is.EqualTo(1));
        var loaded = maps.Load("/videos/clip.001.mp4", Size, [17, 3]);
        Assert.That(loaded.Maps[0], Is.EqualTo(Map(17)));
        Assert.That(loaded.Maps[1], Is.EqualTo(Map(3)));
        Assert.That(loaded.Contains(2), Is.True);
    }

    [Test]
    public void One_map_per_video_serves_every_frame_as_npz_or_png()
    {
        using var folder = new ScratchFolder("regions");
        string dir = WithLegend(folder);
        NpzFile.Write(Path.Combine(dir, "a.npz"), [(RegionMapFolder.LabelsKey, new NpyArray(Map(1), new Shape(Size.Height, Size.Width)))]);
        WritePngs(Path.Combine(dir, "b.png"), Map(2), palette: false);
        var maps = RegionMapFolder.Open(dir);
        Assert.That(maps.Load("a.mp4", Size, [0, 99]).Maps, Is.EqualTo(new[] { Map(1), Map(1) }));
        Assert.That(maps.Load("b.mp4", Size, [5]).Maps[0], Is.EqualTo(Map(2)));
    }

    [TestCase(false), TestCase(true)]
    public void Per_frame_png_maps_are_read_whatever_the_row_filters(bool palette)
    {
        using var folder = new ScratchFolder("regions");
        string dir = WithLegend(folder);
        Directory.CreateDirectory(Path.Combine(dir, "c"));
        WritePngs(Path.Combine(dir, "c", "000004.png"), Map(4), palette);
        WritePngs(Path.Combine(dir, "c", "9.png"), Map(9), palette);
        var loaded = RegionMapFolder.Open(dir).Load("c.mp4", Size, [9, 4]);
        Assert.That(loaded.Maps[0], Is.EqualTo(Map(9)));
        Assert.That(loaded.Maps[1], Is.EqualTo(Map(4)));
    }

    [Test]
    public void An_unknown_id_is_one_error_naming_the_file_frame_and_pixel()
    {
        using var folder = new ScratchFolder("regions");
        string dir = WithLegend(folder);
        var bad = Map(0);
        bad[2 * Size.Width + 5] = 7;
        RegionMapFolder.Write(dir, "v.mp4", Size, [0, 1], [.. Map(1), .. bad]);
        var e = Assert.Throws<InvalidInputException>(() => RegionMapFolder.Open(dir).Load("v.mp4", Size, [0, 1]));
        Assert.That(e!.Message, Does.StartWith(Path.Combine(dir, "v.npz") + ": region id 7 (frame 1, x 5, y 2) is not in the legend"));

        WritePngs(Path.Combine(dir, "w.png"), bad, palette: true);
        e = Assert.Throws<InvalidInputException>(() => RegionMapFolder.Open(dir).Load("w.mp4", Size, [0]));
        Assert.That(e!.Message, Does.StartWith(Path.Combine(dir, "w.png") + ": region id 7 (x 5, y 2)"));
    }

    [Test]
    public void A_map_of_another_size_is_one_error_naming_both_sizes()
    {
        using var folder = new ScratchFolder("regions");
        string dir = WithLegend(folder);
        RegionMapFolder.Write(dir, "v.mp4", Size, [0], Map(0));
        var e = Assert.Throws<InvalidInputException>(() => RegionMapFolder.Open(dir).Load("v.mp4", new FrameSize(24, 16), [0]));
        Assert.That(e!.Message, Does.StartWith(Path.Combine(dir, "v.npz") + ": region map is 12x8, the frames analysed are 24x16"));
    }

    [Test]
    public void A_missing_frame_is_one_error_saying_which_frames_there_are()
    {
        using var folder = new ScratchFolder("regions");
        string dir = WithLegend(folder);
        RegionMapFolder.Write(dir, "v.mp4", Size, [0, 4, 8], [.. Map(0), .. Map(4), .. Map(8)]);
        var e = Assert.Throws<InvalidInputException>(() => RegionMapFolder.Open(dir).Load("v.mp4", Size, [4, 6]));
        Assert.That(e!.Message, Does.StartWith(Path.Combine(dir, "v.npz") + ": no region map for frame 6 (maps cover 3 frames, 0 to 8)"));

        Directory.CreateDirectory(Path.Combine(dir, "p"));
        WritePngs(Path.Combine(dir, "p", "2.png"), Map(2), palette: false);
        e = Assert.Throws<InvalidInputException>(() => RegionMapFolder.Open(dir).Load("p.mp4", Size, [2, 3]));
        Assert.That(e!.Message, Does.StartWith(Path.Combine(dir, "p") + ": no region map for frame 3"));

        e = Assert.Throws<InvalidInputException>(() => RegionMapFolder.Open(dir).Load("nothing.mp4", Size, [0]));
        Assert.That(e!.Message, Does.Contain("no region maps for nothing.mp4"));
    }

    [Test]
    public void Bad_legends_and_files_that_are_not_label_maps_are_refused()
    {
        using var folder = new ScratchFolder("regions");
        string dir = folder["maps"];
        Directory.CreateDirectory(dir);
        Assert.That(Assert.Throws<InvalidInputException>(() => RegionMapFolder.Open(dir))!.Message, Does.Contain("no legend.json or legend.csv"));
        File.WriteAllText(Path.Combine(dir, "legend.json"), """{"0": "a", "300": "b"}""");
        Assert.That(Assert.Throws<InvalidInputException>(() => RegionMapFolder.Open(dir))!.Message, Does.Contain("300 is outside 0..255"));
        File.WriteAllText(Path.Combine(dir, "legend.json"), """{"0": "a", "1": "A"}""");
        Assert.That(Assert.Throws<InvalidInputException>(() => RegionMapFolder.Open(dir))!.Message, Does.Contain("more than one id"));
        File.WriteAllText(Path.Combine(dir, "legend.json"), "[1, 2]");
        Assert.That(Assert.Throws<InvalidInputException>(() => RegionMapFolder.Open(dir))!.Message, Does.Contain("not a legend"));

        File.WriteAllText(Path.Combine(dir, "legend.json"), """{"0": "a", "1": "b", "2": "c"}""");
        File.WriteAllText(Path.Combine(dir, "x.png"), "not a png");
        Assert.That(Assert.Throws<InvalidInputException>(() => RegionMapFolder.Open(dir).Load("x.mp4", Size, [0]))!.Message, Does.EndWith("x.png: not a PNG file."));
        WritePngs(Path.Combine(dir, "y.png"), Map(0), palette: false, colourType: 2);
        Assert.That(Assert.Throws<InvalidInputException>(() => RegionMapFolder.Open(dir).Load("y.mp4", Size, [0]))!.Message, Does.Contain("8-bit greyscale or palette PNG"));
        NpzFile.Write(Path.Combine(dir, "z.npz"), [(RegionMapFolder.LabelsKey, new NpyArray(new float[96], new Shape(8, 12)))]);
        Assert.That(Assert.Throws<InvalidInputException>(() => RegionMapFolder.Open(dir).Load("z.mp4", Size, [0]))!.Message, Does.Contain("expected uint8"));
    }

    /// <summary>
    /// Writes an 8-bit PNG with Python's zlib (an independent encoder), cycling through the five row filters so that
    /// every one is decoded. Colour type 0 (grey), 3 (palette) or 2 (RGB, which a reader must refuse).
    /// </summary>
    private static void WritePngs(string path, byte[] ids, bool palette, int colourType = -1)
    {
        int type = colourType >= 0 ? colourType : palette ? 3 : 0;
        PythonWithNumpy.Run("""
            import sys, struct, zlib
            path, w, h, ctype = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
            ids = bytes(int(v) for v in sys.argv[5].split(','))
            bpp = 3 if ctype == 2 else 1
            rows = [bytes(b for v in ids[y*w:(y+1)*w] for b in ([v]*bpp)) for y in range(h)]
            def paeth(a, b, c):
                p = a + b - c; pa, pb, pc = abs(p-a), abs(p-b), abs(p-c)
                return a if pa <= pb and pa <= pc else (b if pb <= pc else c)
            out = b''
            for y, row in enumerate(rows):
                f = y % 5; up = rows[y-1] if y > 0 else bytes(len(row))
                enc = bytearray()
                for x, v in enumerate(row):
                    a = row[x-bpp] if x >= bpp else 0; b = up[x]; c = up[x-bpp] if x >= bpp else 0
                    pred = [0, a, b, (a+b)//2, paeth(a, b, c)][f]
                    enc.append((v - pred) % 256)
                out += bytes([f]) + bytes(enc)
            def chunk(t, d): return struct.pack('>I', len(d)) + t + d + struct.pack('>I', zlib.crc32(t + d) & 0xffffffff)
            png = b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, 8, ctype, 0, 0, 0))
            if ctype == 3: png += chunk(b'PLTE', bytes(range(256)) * 3)
            png += chunk(b'IDAT', zlib.compress(out)) + chunk(b'IEND', b'')
            open(path, 'wb').write(png)
            """, path, Size.Width.ToString(), Size.Height.ToString(), type.ToString(), string.Join(",", ids));
    }
}
