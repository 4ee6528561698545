using DeepImpression.Core.Serialization;

namespace DeepImpression.Train.Analysis.Rendering;

/// <summary>A figure encoded as PNG, with where its picture panel lies in it and the scale its colours use.</summary>
/// <param name="Png">The PNG file's bytes.</param>
/// <param name="Width">Figure width in pixels.</param>
/// <param name="Height">Figure height in pixels.</param>
/// <param name="Panel">The picture panel inside the figure: at the map's size times the panel scale.</param>
/// <param name="Scale">The values at the colour bar's ends.</param>
public sealed record RenderedFigure(byte[] Png, int Width, int Height, PixelRect Panel, HeatMapScale Scale)
{
    /// <summary>Writes the PNG to <paramref name="path"/> atomically (a crash never leaves half a file).</summary>
    public void Save(string path) => AtomicFile.Write(path, stream => stream.Write(Png));
}

/// <summary>A rectangle of pixels: left, top, width, height.</summary>
public readonly record struct PixelRect(int X, int Y, int Width, int Height);
