// Predict the apparent Big Five traits of a video with a trained checkpoint: dotnet run -- CHECKPOINT VIDEO
// (ffmpeg on the PATH decodes the video; the test-time procedure uses every frame and the whole sound).
using DeepImpression.Core;
using DeepImpression.Core.Tensors;
using DeepImpression.Train.Evaluation;

if (args.Length != 2) { Console.Error.WriteLine("usage: PredictVideo CHECKPOINT VIDEO"); return 2; }
try
{
    var net = ModelFile.Load(args[0], Device.Cpu);
    var prediction = new VideoPredictor(net, new VideoPredictorOptions()).Score(args[1]);
    Console.WriteLine($"{Path.GetFileName(args[1])}: {prediction.Scores} from {prediction.Frames.Used} frames");
    return 0;
}
catch (InvalidInputException e) // a missing or broken file: one line that names it, no stack trace
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 2;
}
