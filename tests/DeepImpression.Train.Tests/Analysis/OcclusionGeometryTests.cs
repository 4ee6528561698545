using DeepImpression.Train.Analysis.Occlusion;
using DeepImpression.Train.Analysis;

namespace DeepImpression.Train.Tests.Analysis;

public sealed class OcclusionGeometryTests
{
    [Test]
    public void CentredMasksCoverEveryStrideThPixelAndAreCutAtTheBorders()
    {
        var grid = OcclusionGrid.Centred(256, 456, (10, 10), (4, 4));
        Assert.That((grid.Rows.Count, grid.Columns.Count, grid.Count), Is.EqualTo((64, 114, 7296)));
        Assert.That(grid.Mask(0), Is.EqualTo(new Box(new Interval(0, 5), new Interval(0, 5))), "the first mask is centred on pixel (0,0)");
        Assert.That(grid.Mask(114 + 1), Is.EqualTo(new Box(new Interval(0, 9), new Interval(0, 9))));
        Assert.That(grid.Mask(grid.Count - 1), Is.EqualTo(new Box(new Interval(247, 256), new Interval(447, 456))));
        Assert.That(grid.Columns.Centre(113), Is.EqualTo(452));
        var odd = new MaskAxis(20, 5, 3, Centred: true);
        Assert.That(odd.Mask(2), Is.EqualTo(new Interval(4, 9)), "odd sizes: as many cells before the centre as after");
    }

    [Test]
    public void WindowsAnchoredAtTheStartReachTheEnd()
    {
        var axis = new MaskAxis(9000, 1000, 700, Centred: false);
        Assert.That(axis.Count, Is.EqualTo(13));
        Assert.That(axis.Mask(12), Is.EqualTo(new Interval(8400, 9000)));
        Assert.That(new MaskAxis(500, 1000, 700, Centred: false).Count, Is.EqualTo(1), "one window when the input is shorter");
        Assert.That(new MaskAxis(1700, 1000, 700, Centred: false).Count, Is.EqualTo(2), "no window starts past what the previous one reached");
    }

    [Test]
    public void ReachIsExactlyTheOutputsWhoseWindowMeetsTheChange()
    {
        // Brute force over kernel, stride, pad and every input interval.
        foreach (var (k, s, p) in new[] { (7, 2, 3), (3, 2, 1), (3, 1, 1), (1, 2, 0), (9, 4, 4), (49, 4, 24) })
        {
            const int n = 60;
            int outputs = (n + 2 * p - k) / s + 1;
            var window = new AxisWindow(k, s, p, n, outputs);
            for (int a = 0; a < n; a++)
                for (int b = a + 1; b <= n; b += 3)
                {
                    var expected = Enumerable.Range(0, outputs).Where(o => o * s - p < b && o * s - p + k > a).ToArray();
                    var reach = window.Reach(new Interval(a, b));
                    Assert.That(Enumerable.Range(reach.Start, reach.Length), Is.EqualTo(expected), $"k{k} s{s} p{p} [{a},{b})");
                }
        }
    }

    [Test]
    public void ProjectionsPlaceGridValuesOnPixels()
    {
        var grid = OcclusionGrid.Centred(1, 9, (1, 4), (1, 4));  // centres at x = 0, 4, 8
        float[] values = [0f, 4f, 8f];
        Assert.That(GridProjection.ToCells(grid, values, PixelProjection.Bilinear), Is.EqualTo(new[] { 0f, 1, 2, 3, 4, 5, 6, 7, 8 }));
        Assert.That(GridProjection.ToCells(grid, values, PixelProjection.Nearest), Is.EqualTo(new[] { 0f, 0, 4, 4, 4, 4, 8, 8, 8 }));
        // Masks cover [-2,2) -> 0..1, [2,6) and [6,10) -> 6..8: each pixel the mean of those covering it.
        Assert.That(GridProjection.ToCells(grid, values, PixelProjection.Coverage), Is.EqualTo(new[] { 0f, 0, 4, 4, 4, 4, 8, 8, 8 }));
        var overlapping = OcclusionGrid.Centred(1, 4, (1, 3), (1, 1));  // masks [-1,2), [0,3), [1,4), [2,5)
        Assert.That(GridProjection.ToCells(overlapping, [1f, 2f, 3f, 4f], PixelProjection.Coverage), Is.EqualTo(new[] { 1.5f, 2f, 3f, 3.5f }));
    }

    [Test]
    public void FillIsTheMeanPerChannelOrGivenValues()
    {
        float[] input = [0, 2, 4, 6, 10, 10, 10, 10];  // two channels of four
        Assert.That(MaskFill.InputMean.Resolve(input, 2), Is.EqualTo(new[] { 3f, 10f }));
        Assert.That(MaskFill.Parse("7", "--fill").Resolve(input, 2), Is.EqualTo(new[] { 7f, 7f }));
        Assert.That(MaskFill.Parse("1, 2", "--fill").Resolve(input, 2), Is.EqualTo(new[] { 1f, 2f }));
        Assert.Throws<Core.InvalidInputException>(() => MaskFill.Parse("red", "--fill"));
        Assert.Throws<Core.InvalidInputException>(() => MaskFill.Parse("1,2,3", "--fill").Resolve(input, 2));
    }
}
