using DeepImpression.Train.Analysis;
using System.Globalization;
using DeepImpression.Core;
using DeepImpression.Core.Model;
using DeepImpression.Core.Tensors;
using DeepImpression.Train.Analysis.Regions;
using DeepImpression.Train.Analysis.Segments;
using DeepImpression.Train.Data.Decoding;
using DeepImpression.Train.Data.Labels;
using DeepImpression.Train.Evaluation;
using DeepImpression.Train.Synthetic;
using DeepImpression.Train.Tests.Data;

namespace DeepImpression.Train.Tests.Analysis;

/// <summary>The mechanics of segment-level occlusion on the tiny synthetic set and its ground-truth region maps.</summary>
[TestFixture]
public class SegmentOcclusionTests
{
    [Test]
    public void Masking_replaces_exactly_the_region_with_the_frame_mean_or_a_constant()
    {
        const int w = 4, h = 3, plane = w * h;
        var frames = Enumerable.Range(0, 2 * 3 * plane).Select(i => (float)(i * 7 % 251)).ToArray();
        byte[][] maps = [[.. Enumerable.Range(0, plane).Select(p => (byte)(p % 3 == 0 ? 1 : 0))], [.. Enumerable.Range(0, plane).Select(p => (byte)(p < 5 ? 1 : 2))]];
        var masked = new float[frames.Length];
        new RegionMaskedFrames(frames, 2, h, w, maps, 1, MaskFill.InputMean).CopyFrames(0, 2, masked);
        var constant = new float[3 * plane];
        new RegionMaskedFrames(frames, 2, h, w, maps, 1, MaskFill.Parse("10,20.5,30", "--fill")).CopyFrames(1, 1, constant);
        for (int f = 0; f < 2; f++)
            for (int c = 0; c < 3; c++)
            {
                double mean = Enumerable.Range(0, plane).Average(p => (double)frames[(f * 3 + c) * plane + p]);
                for (int p = 0; p < plane; p++)
                {
                    int i = (f * 3 + c) * plane + p;
                    Assert.That(masked[i], Is.EqualTo(maps[f][p] == 1 ? (float)mean : frames[i]).Within(1e-4), $"frame {f} channel {c} pixel {p}");
                    if (f == 1) Assert.That(constant[c * plane + p], Is.EqualTo(maps[1][p] == 1 ? new[] { 10f, 20.5f, 30f }[c] : frames[i]));
                }
            }
        Assert.Throws<InvalidInputException>(() => new RegionMaskedFrames(frames, 2, h, w, maps, 1, MaskFill.Parse("1,2", "--fill")).CopyFrames(0, 1, constant),
            "two values for three channels");
        Assert.That(MaskFill.Parse("mean", "--fill"), Is.SameAs(MaskFill.InputMean));
    }

    [Test]
    public void Each_region_is_masked_through_the_test_time_procedure_and_summarised_by_its_effect_size()
    {
        var clips = TinySyntheticSet.Report.Clips.Take(3).Select(c => SyntheticDataSet.PathOf(TinySyntheticSet.Root, c)).ToArray();
        var maps = RegionMapFolder.Open(Path.Combine(TinySyntheticSet.Root, SyntheticDataSet.RegionsFolder));
        var net = CalibratedNet(clips);
        var options = new SegmentOcclusionOptions { Frames = 2, FrameSize = TinySyntheticSet.Size, ChunkSize = 1 };
        var result = SegmentOcclusion.Run(net, clips, maps, options);

        Assert.That(result.Regions, Is.EqualTo(new[] { 0, 1, 2, 3 }), "every region of the standard set's legend");
        Assert.That(result.Effects, Has.Count.EqualTo(4 * TraitScores.Count));

        // Redo one video's masked prediction by hand: decode, mask the mouth with each frame's mean, predict.
        var clip = new ClipDecoder(TinySyntheticSet.Size, minimumAudioSamples: 1).Decode(clips[1], 2);
        var loaded = maps.Load(clips[1], TinySyntheticSet.Size, clip.FrameIndices);
        int plane = TinySyntheticSet.Size.Width * TinySyntheticSet.Size.Height;
        var frames = clip.Frames.Select(b => (float)b).ToArray();
        for (int f = 0; f < clip.FrameCount; f++)
            for (int c = 0; c < 3; c++)
            {
                var channel = frames.AsSpan((f * 3 + c) * plane, plane);
                float mean = (float)channel.ToArray().Average(v => (double)v);
                for (int p = 0; p < plane; p++)
                    if (loaded.Maps[f][p] == SyntheticRegions.Mouth) channel[p] = mean;
            }
        var expected = net.PredictClip(clip.Audio, new FrameArray(frames, clip.FrameCount, TinySyntheticSet.Size.Height, TinySyntheticSet.Size.Width));
        Assert.That(result.Videos[1].Masked[SyntheticRegions.Mouth], Is.EqualTo(expected).Within(1e-5));

        // d = mean / sd of the changes (n - 1), over the three videos.
        for (int k = 0; k < TraitScores.Count; k++)
        {
            var changes = result.Videos.Select(v => (double)v.Masked[SyntheticRegions.Head][k] - v.Baseline[k]).ToArray();
            double mean = changes.Average(), sd = Math.Sqrt(changes.Sum(x => (x - mean) * (x - mean)) / 2);
            var effect = result.Effect(SyntheticRegions.Head, k).Effect;
            Assert.That(effect.N, Is.EqualTo(3));
            Assert.That(sd, Is.GreaterThan(0), "the masked predictions differ from video to video");
            Assert.That(effect.D, Is.EqualTo(mean / sd).Within(1e-9));
        }

        using var folder = new ScratchFolder("segments");
        result.WriteTable(folder["segments.csv"]);
        var lines = File.ReadAllLines(folder["segments.csv"]);
        Assert.That(lines[0], Is.EqualTo("region_id,region,trait,n,mean_change,sd_change,d,ci_low,ci_high,p,confidence"));
        Assert.That(lines, Has.Length.EqualTo(1 + 4 * TraitScores.Count));
        var head = lines.Single(l => l.StartsWith("1,head,Openness,", StringComparison.Ordinal)).Split(',');
        Assert.That(double.Parse(head[6], CultureInfo.InvariantCulture), Is.EqualTo(result.Effect(SyntheticRegions.Head, 4).Effect.D));
        result.WritePredictions(folder["predictions.csv"]);
        Assert.That(File.ReadAllLines(folder["predictions.csv"]), Has.Length.EqualTo(1 + 3 * 5));

        var (width, height) = PngCheck.ValidAndNotBlank(SegmentFigure.Render(result, panelScale: 2));
        Assert.That(width, Is.GreaterThan(3 * 2 * TinySyntheticSet.Size.Width), "three panels a row at twice the frame size");
        Assert.That(height, Is.GreaterThan(2 * 2 * TinySyntheticSet.Size.Height), "two rows");
    }

    [Test]
    public void A_bad_region_map_of_any_video_stops_the_run_before_the_first_prediction()
    {
        using var folder = new ScratchFolder("segments-bad");
        var clips = TinySyntheticSet.Report.Clips.Take(2).ToArray();
        string maps = folder["maps"];
        Directory.CreateDirectory(maps);
        File.Copy(Path.Combine(TinySyntheticSet.Root, SyntheticDataSet.RegionsFolder, RegionLegend.JsonName), Path.Combine(maps, RegionLegend.JsonName));
        File.Copy(SyntheticDataSet.RegionMapPath(TinySyntheticSet.Root, clips[0]), Path.Combine(maps, RegionMapFolder.StemOf(clips[0].Name) + ".npz"));
        // The second video's maps cover only its first ten frames.
        var size = TinySyntheticSet.Size;
        RegionMapFolder.Write(maps, clips[1].Name, size, [.. Enumerable.Range(0, 10)], new byte[10 * size.Width * size.Height]);

        var net = new CountingNet();
        var videos = clips.Select(c => SyntheticDataSet.PathOf(TinySyntheticSet.Root, c)).ToArray();
        var e = Assert.Throws<InvalidInputException>(() =>
            SegmentOcclusion.Run(net.Net, videos, RegionMapFolder.Open(maps), new SegmentOcclusionOptions { Frames = 4, FrameSize = size }, net));
        Assert.That(e!.Message, Does.StartWith(Path.Combine(maps, RegionMapFolder.StemOf(clips[1].Name) + ".npz") + ": no region map for frame 13"));
        Assert.That(net.Reports, Is.Zero, "nothing was predicted");
    }

    /// <summary>
    /// An untrained network whose batch-norm running statistics have been set by forwards in training mode on the
    /// clips, so that its outputs are not saturated and masking moves them.
    /// </summary>
    private static DeepImpressionNet CalibratedNet(IReadOnlyList<string> clips)
    {
        var net = new DeepImpressionNet(Device.Cpu, seed: 3);
        var decoded = clips.Select(c => new ClipDecoder(TinySyntheticSet.Size, minimumAudioSamples: 1).Decode(c, 1)).ToArray();
        var size = TinySyntheticSet.Size;
        var audio = decoded.SelectMany(d => d.Audio.Take(4096)).ToArray();
        var frames = decoded.SelectMany(d => d.Frames.Select(b => (float)b)).ToArray();
        net.SetTraining(true);
        using (Core.Autograd.Backprop.NoGrad())
            for (int i = 0; i < 40; i++)
            {
                using var scope = TensorScope.Begin();
                net.Forward(Tensor.FromArray(audio, new Shape(decoded.Length, 1, 1, 4096)), Tensor.FromArray(frames, new Shape(decoded.Length, 3, size.Height, size.Width)));
            }
        net.SetTraining(false);
        return net;
    }

    /// <summary>An untrained network, and a progress sink that counts what the run reported as done.</summary>
    private sealed class CountingNet : IProgress<(int Done, int Total)>
    {
        public DeepImpressionNet Net { get; } = new(Device.Cpu, seed: 1);
        public int Reports { get; private set; }
        public void Report((int Done, int Total) value) => Reports += value.Done;
    }
}
