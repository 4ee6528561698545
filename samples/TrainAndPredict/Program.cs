// A consumer of the DeepImpression packages, start to end on the CPU:
//  1. build a small network from the library's layers and train it a few steps with Adam;
//  2. save it to a checkpoint and load it back into a fresh network, which must predict the same;
//  3. make one synthetic clip (the library draws and encodes it with ffmpeg) and predict its apparent traits with the
//     Deep Impression model, saving that model's weights so that the PredictVideo sample can use them.
// Usage: dotnet run -- [OUTPUT_FOLDER]. Exit code 0 when every check holds.
using DeepImpression.Core.Autograd;
using DeepImpression.Core.Model;
using DeepImpression.Core.Ops;
using DeepImpression.Core.Optim;
using DeepImpression.Core.Serialization;
using DeepImpression.Core.Tensors;
using DeepImpression.Train.Data.Decoding;
using DeepImpression.Train.Data.Labels;
using DeepImpression.Train.Evaluation;
using DeepImpression.Train.Synthetic;

string output = Path.GetFullPath(args.Length > 0 ? args[0] : "sample-output");
Directory.CreateDirectory(output);

// 1. Train a small network to map 16 random images to 16 random five-trait targets.
var rng = new Rng(7);
var images = Tensor.RandomNormal(new Shape(16, 3, 12, 12), rng);
var targets = Tensor.RandomUniform(new Shape(16, 5), rng);
var net = new TinyNet(Device.Cpu, seed: 1);
var adam = new Adam(net.NamedParameters(), alpha: 0.01);
float firstLoss = 0, loss = 0;
for (int step = 1; step <= 30; step++)
{
    net.ZeroGradients();
    var error = Op.MeanAbsoluteError(net.Forward(images), targets);
    loss = error.Item();
    if (step == 1) firstLoss = loss;
    error.Backward();
    adam.Step();
}
Console.WriteLine($"trained: mean absolute error {firstLoss:F4} -> {loss:F4} in 30 steps");
if (!(loss < firstLoss)) return Fail("training did not lower the loss");

// 2. Save, reload into a fresh network, compare the predictions in evaluation mode.
string checkpoint = Path.Combine(output, "tiny.npz");
Checkpoint.Save(checkpoint, net, adam);
var reloaded = new TinyNet(Device.Cpu, seed: 99);
Checkpoint.Load(checkpoint, reloaded);
net.SetTraining(false);
reloaded.SetTraining(false);
float[] before, after;
using (Backprop.NoGrad()) (before, after) = (net.Forward(images).ToArray(), reloaded.Forward(images).ToArray());
Console.WriteLine($"reloaded {checkpoint}: {(before.SequenceEqual(after) ? "the same predictions" : "DIFFERENT predictions")}");
if (!before.SequenceEqual(after)) return Fail("the reloaded network predicts differently");

// 3. One synthetic clip (4 s at 228 x 128) and the Deep Impression model (its initial weights: a real use loads a
//    trained checkpoint with ModelFile.Load).
var clips = SyntheticDataSet.Generate(new SyntheticDataSetOptions
{
    OutputDirectory = Path.Combine(output, "synthetic"), Clips = 3, Seconds = 4, FrameSize = new FrameSize(228, 128), Jobs = 1,
});
string video = SyntheticDataSet.PathOf(clips.Directory, clips.Clips[0]);
var model = new DeepImpressionNet(Device.Cpu, seed: 1);
string weights = Path.Combine(output, "deep-impression-initial.npz");
Checkpoint.Save(weights, model);
var prediction = new VideoPredictor(model, new VideoPredictorOptions { FrameSize = new FrameSize(228, 128) }).Score(video);
Console.WriteLine($"predicted {Path.GetFileName(video)} from {prediction.Frames.Used} frames and {prediction.AudioSamples} audio samples " +
                  "(untrained weights, so the scores say nothing about the clip):");
for (int trait = 0; trait < 5; trait++) Console.WriteLine($"  {TraitScores.Names[trait],-17} {prediction.Scores[trait]:F4}");
if (!prediction.Scores.ToArray().All(float.IsFinite)) return Fail("a score is not a number");
Console.WriteLine($"weights for PredictVideo: {weights}");
Console.WriteLine($"video for PredictVideo: {video}");
Console.WriteLine("sample passed");
return 0;

static int Fail(string why)
{
    Console.Error.WriteLine($"sample failed: {why}");
    return 1;
}
