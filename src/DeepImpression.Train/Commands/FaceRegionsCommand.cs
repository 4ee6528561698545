using System.CommandLine;
using DeepImpression.Core;
using DeepImpression.Train.Analysis.Regions;
using DeepImpression.Train.Data.Decoding;

namespace DeepImpression.Train.Commands;

/// <summary>
/// <c>deepimpression face-regions VIDEO... [--out DIR]</c>: six face regions (background, face skin, eyebrows, eyes,
/// nose, mouth) per frame from a pretrained 68-point landmark model, in the region map layout that
/// <c>occlusion segments</c> reads (README, "Segment-level occlusion and face regions").
/// </summary>
internal static class FaceRegionsCommand
{
    public static Command Create()
    {
        var videos = new Argument<string[]>("videos") { Description = "video files, or folders searched for *.mp4", Arity = ArgumentArity.OneOrMore };
        var output = new Option<string>("--out") { Description = "folder for legend.json, one STEM.npz per video and overlays/", DefaultValueFactory = _ => "face-regions" };
        var frames = new Option<int>("--frames") { Description = "frames per video, spread evenly as occlusion segments reads them (0: every frame)", DefaultValueFactory = _ => 8 };
        var size = new Option<string>("--size") { Description = "frame size WIDTHxHEIGHT (use the size occlusion segments analyses at)", DefaultValueFactory = _ => "456x256" };
        var detector = new Option<string>("--detector") { Description = "ssd (SSD MobileNet v1, more accurate) or tiny (tiny face detector, faster)", DefaultValueFactory = _ => "ssd" };
        detector.AcceptOnlyFromAmong("ssd", "tiny");
        var score = new Option<double>("--min-score") { Description = "smallest face detection score kept", DefaultValueFactory = _ => 0.5 };
        var command = new Command("face-regions", "Segment the faces in videos into six regions (background, face skin, eyebrows, eyes, nose, mouth) from 68-point landmarks.")
        {
            videos, output, frames, size, detector, score,
        };
        command.SetAction((parse, cancellation) =>
        {
            int frameCount = parse.GetValue(frames);
            if (frameCount < 0) throw new InvalidInputException("--frames must be 0 (every frame) or more.");
            var files = VideoArguments.Expand(parse.GetValue(videos)!);
            var landmarks = new FaceLandmarkDetector(parse.GetValue(detector) == "tiny" ? FaceDetector.Tiny : FaceDetector.Ssd, parse.GetValue(score));
            string folder = parse.GetValue(output)!;
            var reports = ConsoleProgress.Run("face-regions", progress =>
                FaceRegionMaker.Run(files, folder, landmarks, frameCount == 0 ? null : frameCount, FrameSize.Parse(parse.GetValue(size)!, "--size"), progress, cancellation));
            foreach (var r in reports)
                Console.WriteLine($"{r.Video}: a face in {r.FramesWithFace} of {r.Frames} frames; {r.Maps}, overlay {r.Overlay}");
            Console.WriteLine($"face-regions: maps and legend in {folder}; pass it to 'occlusion segments --regions {folder}'.");
            return Task.FromResult(0);
        });
        return command;
    }
}
