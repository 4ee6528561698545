using DeepImpression.Train.Analysis.Rendering;
using DeepImpression.Train.Tests.Data;
using SkiaSharp;

namespace DeepImpression.Train.Tests.Analysis;

public sealed class RenderingTests
{
    [Test]
    public void DivergingMapIsBlueBelowWhiteAtZeroRedAbove()
    {
        var map = ColorMap.Diverging;
        Assert.That(map[0], Is.EqualTo(Rgb.FromHex("#053061")));
        Assert.That(map[0.5], Is.EqualTo(Rgb.FromHex("#f7f7f7")));
        Assert.That(map[1], Is.EqualTo(Rgb.FromHex("#67001f")));
        // Halfway between the first two anchors (t = 0.05): their per-channel mean, rounded.
        Assert.That(map[0.05], Is.EqualTo(new Rgb((0x05 + 0x21 + 1) / 2, (0x30 + 0x66 + 1) / 2, (0x61 + 0xac + 1) / 2)));
        Assert.That(map[-3], Is.EqualTo(map[0]));
        Assert.That(map[double.NaN], Is.EqualTo(map[0.5]));
    }

    [Test]
    public void ScaleLimitsFollowTheSignMode()
    {
        float[] values = [-4, -1, 0, 2, 3];
        var all = HeatMapScale.Fit(values, SignMode.All);
        Assert.That((all.Lower, all.Upper), Is.EqualTo((-4.0, 4.0)));
        Assert.That(all.Position(0), Is.EqualTo(0.5));
        Assert.That(all.Position(-4), Is.EqualTo(0));
        Assert.That(all.Position(2), Is.EqualTo(0.75));
        Assert.That(HeatMapScale.Fit(values, SignMode.Positive).Upper, Is.EqualTo(3));
        Assert.That(HeatMapScale.Fit(values, SignMode.Negative).Upper, Is.EqualTo(4));
        var positive = HeatMapScale.Fit(values, SignMode.Positive);
        Assert.That(positive.Strength(-4), Is.Zero, "a decrease does not show in the positive sign");
        Assert.That(HeatMapScale.Fit(values, SignMode.Negative).Strength(-1), Is.EqualTo(0.25));
        Assert.That(HeatMapScale.Fit(values, SignMode.Absolute).Strength(-1), Is.EqualTo(0.25));
        // Percentile 60 of the magnitudes {0,1,2,3,4}: nearest rank 3 -> 2.
        Assert.That(HeatMapScale.Fit(values, SignMode.All, percentile: 60).Limit, Is.EqualTo(2));
        Assert.That(HeatMapScale.Fit([0f, 0f], SignMode.All).Strength(0), Is.Zero, "an all-zero map shows nothing, without dividing by zero");
    }

    [Test]
    public void PanelMethodsCombineMapAndPictureAsDocumented()
    {
        var picture = RgbImage.Filled(2, 1, new Rgb(200, 100, 50));
        float[] map = [1f, -0.5f];
        var scale = new HeatMapScale(SignMode.All, 1);

        var heat = HeatMapPanel.Render(map, 2, 1, null, scale, new HeatMapOptions { Method = HeatMapMethod.HeatMap });
        Assert.That(heat[0, 0], Is.EqualTo(ColorMap.Diverging[1]));
        Assert.That(heat[1, 0], Is.EqualTo(ColorMap.Diverging[0.25]));

        var blended = HeatMapPanel.Render(map, 2, 1, picture, scale, new HeatMapOptions { OverlayAlpha = 0.25 });
        byte gray = new Rgb(200, 100, 50).Gray;
        Assert.That(blended[1, 0], Is.EqualTo(Rgb.Lerp(new Rgb(gray, gray, gray), ColorMap.Diverging[0.25], 0.25)));
        var inColour = HeatMapPanel.Render(map, 2, 1, picture, scale, new HeatMapOptions { OverlayAlpha = 0.25, GrayPicture = false });
        Assert.That(inColour[1, 0], Is.EqualTo(Rgb.Lerp(new Rgb(200, 100, 50), ColorMap.Diverging[0.25], 0.25)));

        var absolute = new HeatMapScale(SignMode.Absolute, 1);
        var masked = HeatMapPanel.Render(map, 2, 1, picture, absolute, new HeatMapOptions { Sign = SignMode.Absolute, Method = HeatMapMethod.MaskedImage });
        Assert.That(masked[0, 0], Is.EqualTo(new Rgb(200, 100, 50)));
        Assert.That(masked[1, 0], Is.EqualTo(new Rgb(100, 50, 25)));
        var alpha = HeatMapPanel.Render(map, 2, 1, picture, absolute, new HeatMapOptions { Sign = SignMode.Absolute, Method = HeatMapMethod.AlphaScaling });
        Assert.That(alpha[1, 0], Is.EqualTo(new Rgb(228, 178, 153)));

        Assert.Throws<ArgumentException>(() => HeatMapPanel.Render(map, 2, 1, picture, scale, new HeatMapOptions { Method = HeatMapMethod.MaskedImage }));
        Assert.Throws<ArgumentException>(() => HeatMapPanel.Render(map, 2, 1, null, scale, new HeatMapOptions()));
        Assert.Throws<ArgumentException>(() => HeatMapPanel.Render(map, 3, 1, null, scale, new HeatMapOptions { Method = HeatMapMethod.HeatMap }));
    }

    [Test]
    public void FigureIsAValidPngWithThePanelAtThePictureSizeAndAColourBar()
    {
        const int w = 96, h = 54;
        var picture = Gradient(w, h);
        var map = new float[w * h];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) map[y * w + x] = (x - w / 2f) / w;  // left decreases, right increases
        var options = new HeatMapOptions { Title = "change of Extraversion", ColorBarLabel = "change" };

        var figure = HeatMapFigure.Render(map, w, h, picture, options);
        using var decoded = SKBitmap.Decode(figure.Png);
        Assert.That(decoded, Is.Not.Null, "the bytes are a PNG Skia can read");
        Assert.That((decoded.Width, decoded.Height), Is.EqualTo((figure.Width, figure.Height)));
        Assert.That((figure.Panel.Width, figure.Panel.Height), Is.EqualTo((w, h)), "the panel is at the picture's size");

        // The panel is the pixel-exact panel rendering.
        var panel = HeatMapPanel.Render(map, w, h, picture, figure.Scale, options);
        for (int y = 0; y < h; y += 7)
            for (int x = 0; x < w; x += 5)
            {
                var p = decoded.GetPixel(figure.Panel.X + x, figure.Panel.Y + y);
                Assert.That(new Rgb(p.Red, p.Green, p.Blue), Is.EqualTo(panel[x, y]), $"panel pixel ({x},{y})");
            }

        // The colour bar: the map's top colour at the top, its bottom colour at the bottom.
        int barX = figure.Panel.X + w + 10 + 7;
        var top = decoded.GetPixel(barX, figure.Panel.Y + 1);
        var bottom = decoded.GetPixel(barX, figure.Panel.Y + h - 2);
        Assert.That(Distance(new Rgb(top.Red, top.Green, top.Blue), ColorMap.Diverging[1]), Is.LessThan(30));
        Assert.That(Distance(new Rgb(bottom.Red, bottom.Green, bottom.Blue), ColorMap.Diverging[0]), Is.LessThan(30));

        // The title wrote dark pixels above the panel.
        int dark = 0;
        for (int y = 0; y < figure.Panel.Y - 8; y++)
            for (int x = 0; x < figure.Width; x++)
                if (decoded.GetPixel(x, y).Red < 128) dark++;
        Assert.That(dark, Is.GreaterThan(20), "title text");
    }

    [Test]
    public void PanelScaleRepeatsEachMapPixelAndSaveWritesTheFile()
    {
        var picture = Gradient(4, 3);
        var map = Enumerable.Range(0, 12).Select(i => i / 11f).ToArray();
        var figure = HeatMapFigure.Render(map, 4, 3, picture, new HeatMapOptions { Sign = SignMode.Absolute, PanelScale = 3, ShowColorBar = false });
        Assert.That((figure.Panel.Width, figure.Panel.Height), Is.EqualTo((12, 9)));
        using var decoded = SKBitmap.Decode(figure.Png);
        for (int dy = 0; dy < 3; dy++)
            for (int dx = 0; dx < 3; dx++)
                Assert.That(decoded.GetPixel(figure.Panel.X + 3 + dx, figure.Panel.Y + 6 + dy), Is.EqualTo(decoded.GetPixel(figure.Panel.X + 3, figure.Panel.Y + 6)));
        Assert.That(decoded.GetPixel(figure.Panel.X + 3, figure.Panel.Y + 6), Is.Not.EqualTo(decoded.GetPixel(figure.Panel.X + 6, figure.Panel.Y + 6)));

        using var scratch = new ScratchFolder("rendering");
        figure.Save(scratch["map.png"]);
        Assert.That(File.ReadAllBytes(scratch["map.png"]), Is.EqualTo(figure.Png));
    }

    [Test]
    public void MethodsThatDimThePictureShowHowMuchOfItShowsInTheColourBar()
    {
        var masked = new HeatMapOptions { Sign = SignMode.Absolute, Method = HeatMapMethod.MaskedImage };
        Assert.That(HeatMapFigure.BarColours(masked)[1], Is.EqualTo(new Rgb(255, 255, 255)), "full strength: the picture as it is");
        Assert.That(HeatMapFigure.BarColours(masked)[0], Is.EqualTo(new Rgb(0, 0, 0)), "no strength: black");
        Assert.That(HeatMapFigure.BarColours(masked with { Method = HeatMapMethod.AlphaScaling })[0], Is.EqualTo(new Rgb(255, 255, 255)));
        Assert.That(HeatMapFigure.BarColours(masked with { Method = HeatMapMethod.HeatMap }), Is.SameAs(ColorMap.Sequential));
    }

    [Test]
    public void PlanarFramesConvertToInterleavedPixels()
    {
        byte[] planar = [1, 2, 10, 20, 100, 200];  // R plane, G plane, B plane of a 2 x 1 frame
        var image = RgbImage.FromPlanar(planar, 2, 1);
        Assert.That(image[0, 0], Is.EqualTo(new Rgb(1, 10, 100)));
        Assert.That(image[1, 0], Is.EqualTo(new Rgb(2, 20, 200)));
        var fromFloats = RgbImage.FromPlanar([1.4f, 300f, 9.6f, -2f, 100f, 200f], 2, 1);
        Assert.That(fromFloats[0, 0], Is.EqualTo(new Rgb(1, 10, 100)));
        Assert.That(fromFloats[1, 0], Is.EqualTo(new Rgb(255, 0, 200)));
    }

    [Test]
    public void NumbersOnTheColourBarHaveThreeSignificantDigits()
    {
        Assert.That(FigureText.Number(0.012345, signed: true), Is.EqualTo("+0.0123"));
        Assert.That(FigureText.Number(-0.5, signed: true), Is.EqualTo("-0.5"));
        Assert.That(FigureText.Number(123.456, signed: false), Is.EqualTo("123"));
        Assert.That(FigureText.Number(0, signed: true), Is.EqualTo("0"));
        Assert.That(FigureText.Number(2.5e-5, signed: false), Is.EqualTo("2.5e-5"));
    }

    private static RgbImage Gradient(int w, int h)
    {
        var image = new RgbImage(w, h, new byte[3 * w * h]);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) image[x, y] = new Rgb((byte)(255 * x / Math.Max(1, w - 1)), (byte)(255 * y / Math.Max(1, h - 1)), 128);
        return image;
    }

    private static int Distance(Rgb a, Rgb b) => Math.Abs(a.R - b.R) + Math.Abs(a.G - b.G) + Math.Abs(a.B - b.B);
}
