using DeepImpression.Core.Serialization;
using DeepImpression.Train.Analysis.Extremes;
using DeepImpression.Train.Analysis.Rendering;
using DeepImpression.Train.Data.Decoding;

namespace DeepImpression.Train.Analysis.Regions;

/// <summary>What <see cref="FaceRegionMaker.Run"/> did for one video.</summary>
/// <param name="Video">The video segmented.</param>
/// <param name="Maps">The region map file written (STEM.npz).</param>
/// <param name="Overlay">The overlay picture of one frame (overlays/STEM.png).</param>
/// <param name="Frames">Frames segmented.</param>
/// <param name="FramesWithFace">Frames in which at least one face was found (the others are all background).</param>
public sealed record FaceRegionReport(string Video, string Maps, string Overlay, int Frames, int FramesWithFace);

/// <summary>
/// <c>deepimpression face-regions</c> as a library call: for each video, the frames the segment analysis reads
/// (the same count and size give the same frames), faces and landmarks (<see cref="FaceLandmarkDetector"/>), the six
/// regions (<see cref="FaceRegionPainter"/>), written in the region map layout (<see cref="RegionMapFolder"/>:
/// <c>legend.json</c> and one <c>STEM.npz</c> per video), and an overlay of the middle frame in <c>overlays/</c>.
/// </summary>
public static class FaceRegionMaker
{
    /// <summary>The folder, inside the output, of the overlay pictures.</summary>
    public const string OverlayFolder = "overlays";

    /// <summary>Segments every video of <paramref name="videos"/> into face regions and writes the maps to <paramref name="output"/>.</summary>
    /// <param name="videos">The videos to segment.</param>
    /// <param name="output">The region map folder to write (created if missing).</param>
    /// <param name="detector">Finds the faces and their landmarks.</param>
    /// <param name="frames">Frames to segment per video, evenly spaced (null: every frame); use the count the segment analysis will read.</param>
    /// <param name="size">The frame size to segment at; the same as the analysis reads.</param>
    /// <param name="progress">Reports videos done out of all.</param>
    /// <param name="cancellation">Stops between frames.</param>
    /// <returns>One report per video, in order.</returns>
    public static IReadOnlyList<FaceRegionReport> Run(IReadOnlyList<string> videos, string output, FaceLandmarkDetector detector, int? frames, FrameSize size,
                                                      IProgress<(int Done, int Total)>? progress = null, CancellationToken cancellation = default)
    {
        Directory.CreateDirectory(output);
        Directory.CreateDirectory(Path.Combine(output, OverlayFolder));
        FaceRegionPainter.Legend.WriteJson(output);
        var decoder = new ClipDecoder(size, minimumAudioSamples: 1);
        var reports = new List<FaceRegionReport>();
        progress?.Report((0, videos.Count));
        foreach (var video in videos)
        {
            var clip = decoder.DecodeFrames(video, frames, cancellation);
            var faces = detector.Detect(clip, cancellation);
            int plane = size.Width * size.Height;
            var labels = new byte[(long)clip.FrameCount * plane];
            for (int f = 0; f < clip.FrameCount; f++) FaceRegionPainter.Paint(faces[f], size.Width, size.Height).CopyTo(labels, (long)f * plane);
            string maps = RegionMapFolder.Write(output, video, size, clip.FrameIndices, labels);

            int middle = clip.FrameCount / 2;
            var overlay = FaceRegionOverlay.Render(RgbImage.FromPlanar(clip.Frame(middle), size.Width, size.Height), labels[(middle * plane)..((middle + 1) * plane)], faces[middle]);
            string overlayPath = Path.Combine(output, OverlayFolder, RegionMapFolder.StemOf(video) + ".png");
            var png = Montage.Render([[new MontageCell(overlay, [$"{Path.GetFileName(video)}, frame {clip.FrameIndices[middle]}: {faces[middle].Count} face(s)"])]],
                                     title: "face regions: skin, eyebrows, eyes, nose, mouth");
            AtomicFile.Write(overlayPath, s => s.Write(png));

            reports.Add(new FaceRegionReport(video, maps, overlayPath, clip.FrameCount, faces.Count(f => f.Count > 0)));
            progress?.Report((reports.Count, videos.Count));
        }
        return reports;
    }
}
