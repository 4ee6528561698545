using DeepImpression.Core;
using DeepImpression.Train.Analysis.Regions;
using DeepImpression.Train.Data.Decoding;
using DeepImpression.Train.Tests.Data;
using SkiaSharp;

namespace DeepImpression.Train.Tests.Analysis;

/// <summary>
/// face-regions on a real photograph of a face: Debian's python3-skimage ships NASA's astronaut portrait (public
/// domain), made into a short clip with ffmpeg. The regions must come out in anatomical order and inside the face.
/// </summary>
[TestFixture]
public class FaceRegionsTests
{
    private const string Astronaut = "/usr/lib/python3/dist-packages/skimage/data/astronaut.png";
    private static readonly FrameSize Size = FrameSize.Network;

    /// <summary>The portrait cropped to 16:9 around the face, 1.5 s at 30 fps with a tone (the decoder wants sound).</summary>
    private static string MakeClip(string folder)
    {
        if (!File.Exists(Astronaut)) Assert.Ignore($"{Astronaut} is missing: install Debian's python3-skimage (bash scripts/setup.sh).");
        string path = Path.Combine(folder, "astronaut.mp4");
        var run = ExternalTool.Run(ExternalTool.Ffmpeg,
            ["-nostdin", "-v", "error", "-y", "-loop", "1", "-i", ExternalTool.FileArgument(Astronaut), "-f", "lavfi", "-i", "sine=frequency=220:sample_rate=16000",
             "-t", "1.5", "-vf", "crop=512:288:0:0,scale=456:256,format=yuv420p", "-r", "30", "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", "-shortest", path]);
        Assert.That(run.Succeeded, Is.True, run.Stderr);
        return path;
    }

    private static FaceLandmarkDetector DetectorOrIgnore(FaceDetector kind = FaceDetector.Ssd)
    {
        try
        {
            return new FaceLandmarkDetector(kind);
        }
        catch (InvalidInputException e) when (e.Message.Contains("setup.sh", StringComparison.Ordinal))
        {
            Assert.Ignore(e.Message);
            throw;
        }
    }

    [Test, Category("Slow")]
    public void The_astronauts_regions_are_in_anatomical_order_inside_the_face_box()
    {
        using var folder = new ScratchFolder("face-regions");
        var detector = DetectorOrIgnore();
        var clip = new ClipDecoder(Size, minimumAudioSamples: 1).DecodeFrames(MakeClip(folder.Path), 2);
        var faces = detector.Detect(clip);
        Assert.That(faces, Has.Count.EqualTo(2));
        foreach (var frame in faces)
        {
            Assert.That(frame, Has.Count.EqualTo(1), "one face in the portrait");
            var face = frame[0];
            Assert.That(face.Score, Is.GreaterThan(0.9));
            var map = FaceRegionPainter.Paint(frame, Size.Width, Size.Height);

            var centre = new Dictionary<byte, double>();
            foreach (var region in new[] { FaceRegionPainter.Eyebrows, FaceRegionPainter.Eyes, FaceRegionPainter.Nose, FaceRegionPainter.Mouth })
            {
                var pixels = Enumerable.Range(0, map.Length).Where(p => map[p] == region).ToArray();
                Assert.That(pixels.Length, Is.GreaterThan(20), $"region {region} is drawn");
                centre[region] = pixels.Average(p => p / Size.Width);
                // Inside the detector's face box (a pixel of slack for rasterising).
                Assert.That(pixels.Min(p => p % Size.Width), Is.GreaterThanOrEqualTo(face.X - 1), $"region {region} left");
                Assert.That(pixels.Max(p => p % Size.Width), Is.LessThanOrEqualTo(face.X + face.Width + 1), $"region {region} right");
                Assert.That(pixels.Min(p => p / Size.Width), Is.GreaterThanOrEqualTo(face.Y - 1), $"region {region} top");
                Assert.That(pixels.Max(p => p / Size.Width), Is.LessThanOrEqualTo(face.Y + face.Height + 1), $"region {region} bottom");
            }
            Assert.That(centre[FaceRegionPainter.Eyebrows], Is.LessThan(centre[FaceRegionPainter.Eyes]), "brows above eyes");
            Assert.That(centre[FaceRegionPainter.Eyes], Is.LessThan(centre[FaceRegionPainter.Nose]), "eyes above nose");
            Assert.That(centre[FaceRegionPainter.Nose], Is.LessThan(centre[FaceRegionPainter.Mouth]), "nose above mouth");
            // Face skin surrounds the parts and is the largest face region; most of the frame is background.
            int skin = map.Count(v => v == FaceRegionPainter.FaceSkin), background = map.Count(v => v == FaceRegionPainter.Background);
            Assert.That(skin, Is.GreaterThan(centre.Keys.Sum(r => map.Count(v => v == r))));
            Assert.That(background, Is.GreaterThan(map.Length / 2));
        }
    }

    [Test, Category("Slow")]
    public void Face_regions_writes_maps_that_segment_occlusion_reads_and_an_overlay_that_is_not_blank()
    {
        using var folder = new ScratchFolder("face-regions");
        var clip = MakeClip(folder.Path);
        string output = Path.Combine(folder.Path, "regions");
        var reports = FaceRegionMaker.Run([clip], output, DetectorOrIgnore(FaceDetector.Tiny), frames: 3, Size);
        Assert.That(reports.Single().FramesWithFace, Is.EqualTo(3));

        var maps = RegionMapFolder.Open(output);
        Assert.That(maps.Legend.Names.Values, Is.EqualTo(new[] { "background", "face skin", "eyebrows", "eyes", "nose", "mouth" }));
        var loaded = maps.Load(clip, Size, ClipDecoder.PlannedFrames(clip, 3));
        Assert.That(loaded.Maps, Has.Count.EqualTo(3));
        foreach (var id in maps.Legend.Ids) Assert.That(loaded.Contains(id), Is.True, $"region {id} present");

        using var overlay = SKBitmap.Decode(reports[0].Overlay);
        Assert.That(overlay, Is.Not.Null, "a valid PNG");
        Assert.That(overlay.Width, Is.GreaterThanOrEqualTo(Size.Width));
        var colours = new HashSet<uint>();
        for (int y = 0; y < overlay.Height; y += 3)
            for (int x = 0; x < overlay.Width; x += 3) colours.Add((uint)overlay.GetPixel(x, y));
        Assert.That(colours, Has.Count.GreaterThan(100), "not blank");
    }

    [Test]
    public void A_missing_package_is_one_error_saying_to_run_setup()
    {
        using var folder = new ScratchFolder("face-api");
        File.WriteAllText(Path.Combine(folder.Path, "face-landmarks.js"), "");
        var e = Assert.Throws<InvalidInputException>(() => new FaceLandmarkDetector(scriptFolder: folder.Path));
        Assert.That(e!.Message, Does.StartWith(folder.Path).And.Contain("not installed").And.Contain("scripts/setup.sh"));
    }
}
