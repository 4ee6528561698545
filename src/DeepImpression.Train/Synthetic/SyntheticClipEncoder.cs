using System.Globalization;
using System.Runtime.InteropServices;
using DeepImpression.Core;
using DeepImpression.Train.Analysis.Regions;
using DeepImpression.Train.Data;
using DeepImpression.Train.Data.Decoding;

namespace DeepImpression.Train.Synthetic;

/// <summary>
/// Encodes one synthetic clip as an mp4 like the real ones (H.264 yuv420p video, AAC audio at 44.1 kHz): frames are
/// drawn here and piped into ffmpeg; the audio goes through a temporary raw file. The mp4 appears under its final
/// name only when complete. Encoding is single-threaded and bit-exact, so a seed always gives the same files.
/// The ground-truth region map of every frame (<see cref="SyntheticRegions"/>) is written beside it, in the format
/// segment-level occlusion reads (<see cref="RegionMapFolder"/>).
/// </summary>
internal static class SyntheticClipEncoder
{
    public static void Encode(SyntheticClipSpec clip, string path, string regionsFolder, FrameSize size, int framesPerSecond, double seconds, CancellationToken cancellation = default)
    {
        string partial = path + ".partial";
        string audioPath = path + ".f32";
        try
        {
            var audio = SyntheticVoice.Render(clip, seconds);
            File.WriteAllBytes(audioPath, MemoryMarshal.AsBytes(audio.AsSpan()).ToArray());
            int frames = (int)Math.Round(seconds * framesPerSecond);
            var renderer = new SyntheticFrameRenderer(clip, size, framesPerSecond);
            int plane = size.Width * size.Height;
            var regions = new byte[(long)frames * plane];
            string I(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
            var run = ExternalTool.Run(ExternalTool.Ffmpeg,
                ["-nostdin", "-v", "error", "-y",
                 "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", size.ToString(), "-r", I($"{framesPerSecond}"), "-i", "pipe:0",
                 "-f", "f32le", "-ar", I($"{ClipFormat.SampleRate}"), "-ac", "1", "-i", ExternalTool.FileArgument(audioPath),
                 "-map", "0:v:0", "-map", "1:a:0",
                 "-c:v", "libx264", "-preset", "veryfast", "-crf", "20", "-pix_fmt", "yuv420p", "-threads", "1",
                 "-c:a", "aac", "-b:a", "64k", "-ar", "44100",
                 "-map_metadata", "-1", "-fflags", "+bitexact", "-flags:v", "+bitexact", "-flags:a", "+bitexact",
                 "-movflags", "+faststart", "-f", "mp4", ExternalTool.FileArgument(partial)],
                writeStdin: stdin =>
                {
                    var frame = new byte[size.BytesPerFrame];
                    for (int f = 0; f < frames; f++)
                    {
                        cancellation.ThrowIfCancellationRequested();
                        renderer.Render(f, frame, regions.AsSpan(f * plane, plane));
                        stdin.Write(frame);
                    }
                },
                cancellation: cancellation);
            if (!run.Succeeded) throw new InvalidInputException($"{path}: ffmpeg could not encode the synthetic clip ({run.LastStderrLine}).");
            RegionMapFolder.Write(regionsFolder, clip.Name, size, [.. Enumerable.Range(0, frames)], regions);
            File.Move(partial, path, overwrite: true);
        }
        finally
        {
            File.Delete(audioPath);
            File.Delete(partial);
        }
    }
}
