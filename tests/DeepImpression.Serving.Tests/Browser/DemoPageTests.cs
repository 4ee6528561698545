using System.Text.Json;
using DeepImpression.Serving.Tests.Support;
using DeepImpression.Train.Data.Decoding;
using DeepImpression.Train.Serving;
using Microsoft.Playwright;

namespace DeepImpression.Serving.Tests.Browser;

/// <summary>
/// The real page in Debian's Chromium, driven by Playwright: Chromium's fake camera (the astronaut photograph) and
/// fake microphone record through the page, operated from the keyboard; the upload path on a phone-sized screen; a
/// refused file. Screenshots go to <c>artifacts/</c> beside the test assembly (and are attached to the results).
/// The server keeps uploads here so that the browser's own WebM can be checked against <see cref="Train.Evaluation.VideoPredictor"/>.
/// </summary>
[TestFixture]
[Category("Slow")]
[NonParallelizable]
public class DemoPageTests
{
    private const int RecordingSeconds = 4;
    private const float TimeoutMs = 240_000;

    private ServerHarness _server = null!;
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        string chromium = BrowserSetup.Chromium;
        string camera = BrowserSetup.CameraClip;
        _server = await ServerHarness.StartAsync(o => o with { RecordingSeconds = RecordingSeconds, KeepUploads = true, Occlusion = ServerHarness.CoarseOcclusion });
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = chromium,
            Args = ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream", $"--use-file-for-fake-video-capture={camera}"],
        });
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
        string uploads = _server.Server.UploadDirectory;
        await _server.DisposeAsync();
        if (Directory.Exists(uploads)) Directory.Delete(uploads, recursive: true);
    }

    [SetUp]
    public void ForgetEarlierUploads()
    {
        foreach (var file in _server.LeftoverUploads()) File.Delete(file);
    }

    [Test]
    public async Task Recording_through_the_page_with_the_keyboard_shows_five_trait_bars_and_the_closest_profiles()
    {
        var (page, problems) = await OpenAsync(new ViewportSize { Width = 1100, Height = 900 }, mobile: false);

        // Keyboard only: Tab past the skip link to the first button, Enter; then Tab from the step's heading to Record.
        await page.Keyboard.PressAsync("Tab");
        await page.Keyboard.PressAsync("Tab");
        Assert.That(await FocusedIdAsync(page), Is.EqualTo("start-camera"));
        await page.Keyboard.PressAsync("Enter");
        await page.Locator("#step-camera").WaitForAsync(new() { State = WaitForSelectorState.Visible });
        Assert.That(await FocusedIdAsync(page), Is.EqualTo("camera-title"), "focus follows the step");
        await page.Locator("#preview").EvaluateAsync("v => new Promise(r => v.readyState >= 2 ? r() : v.addEventListener('loadeddata', r))");
        await page.Keyboard.PressAsync("Tab");
        Assert.That(await FocusedIdAsync(page), Is.EqualTo("record"));

        var analysed = page.WaitForResponseAsync(r => r.Url.EndsWith("/api/analyze", StringComparison.Ordinal), new() { Timeout = TimeoutMs });
        await page.Keyboard.PressAsync("Enter");
        await page.Locator("#rec-badge").WaitForAsync(new() { State = WaitForSelectorState.Visible });
        await page.WaitForTimeoutAsync(1500);
        await ScreenshotAsync(page, "demo-recording.png", fullPage: false);

        var response = await analysed;
        string body = await response.TextAsync();
        Assert.That(response.Status, Is.EqualTo(200), body);
        var result = JsonSerializer.Deserialize<AnalysisResponse>(body, JsonSerializerOptions.Web)!;
        await AssertResultShownAsync(page, result);
        Assert.That(await page.Locator("#result-notice").InnerTextAsync(), Does.Contain("not a personality assessment"));
        Assert.That(await ContrastProblemsAsync(page), Is.Empty, "text below 4.5:1 contrast");
        await ScreenshotAsync(page, "demo-result-desktop.png", fullPage: true);

        // The browser's own recording: MediaRecorder's WebM declares no duration, and the server read it exactly as
        // the library entry point does.
        string recording = _server.LeftoverUploads().Single();
        File.Copy(recording, Path.Combine(TestFolders.Artifacts, "browser-recording.webm"), overwrite: true);
        var info = MediaProbe.Probe(recording);
        Assert.That(info.DurationSeconds, Is.Zero, "this recording declares its duration; the case it stands for is one that does not");
        Assert.That((info.VideoCodec, info.AudioCodec), Is.EqualTo(("vp8", "opus")));
        Assert.That(result.Media.Seconds, Is.EqualTo(RecordingSeconds).Within(0.6));
        Assert.That(TraitArray(result.Scores), Is.EqualTo(TestModel.Predictor.Predict(recording).ToArray()));
        Assert.That(problems, Is.Empty);
    }

    [Test]
    public async Task Uploading_a_file_on_a_phone_sized_screen_shows_the_result_without_sideways_scrolling()
    {
        var (page, problems) = await OpenAsync(new ViewportSize { Width = 390, Height = 844 }, mobile: true);
        await ScreenshotAsync(page, "demo-welcome-phone.png", fullPage: true);
        var analysed = page.WaitForResponseAsync(r => r.Url.EndsWith("/api/analyze", StringComparison.Ordinal), new() { Timeout = TimeoutMs });
        // Found by its visible label, so the label really names the file input.
        await page.GetByLabel("Upload a video instead").SetInputFilesAsync(TestClips.Synthetic);
        var response = await analysed;
        string body = await response.TextAsync();
        Assert.That(response.Status, Is.EqualTo(200), body);
        var result = JsonSerializer.Deserialize<AnalysisResponse>(body, JsonSerializerOptions.Web)!;
        await AssertResultShownAsync(page, result);
        Assert.That(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"), Is.True, "the page scrolls sideways");
        await ScreenshotAsync(page, "demo-result-phone.png", fullPage: true);

        // "What drove this?": the page sends the clip it still holds to /api/occlusion and shows the map.
        var explained = page.WaitForResponseAsync(r => r.Url.EndsWith("/api/occlusion", StringComparison.Ordinal), new() { Timeout = TimeoutMs });
        await page.GetByRole(AriaRole.Button, new() { Name = "Show what the network looked at" }).ClickAsync();
        var occlusion = await explained;
        Assert.That(occlusion.Status, Is.EqualTo(200), await occlusion.TextAsync());
        var image = page.Locator("#explain-image");
        await image.WaitForAsync(new() { State = WaitForSelectorState.Visible });
        Assert.That(await image.GetAttributeAsync("alt"), Does.Contain("changed your five scores"));
        Assert.That(await image.EvaluateAsync<int>("i => i.naturalWidth"), Is.GreaterThan(200), "the map's PNG decodes in the browser");
        Assert.That(await page.Locator("#explain-status").InnerTextAsync(), Does.StartWith("Done:"));
        Assert.That(_server.LeftoverUploads(), Has.Length.EqualTo(2), "the clip went to the server twice, once per request, and nowhere else");
        await image.ScrollIntoViewIfNeededAsync();
        await ScreenshotAsync(page, "demo-explain-phone.png", fullPage: false);
        Assert.That(problems, Is.Empty);
    }

    [Test]
    public async Task A_file_that_is_not_a_video_gets_the_server_message_in_an_alert_and_a_way_back()
    {
        var (page, problems) = await OpenAsync(new ViewportSize { Width = 390, Height = 844 }, mobile: true);
        string notes = Path.Combine(TestFolders.Fresh("browser-bad"), "notes.webm");
        await File.WriteAllTextAsync(notes, "not a video\n");
        await page.GetByLabel("Upload a video instead").SetInputFilesAsync(notes);
        var alert = page.GetByRole(AriaRole.Alert);
        await alert.WaitForAsync(new() { State = WaitForSelectorState.Visible, Timeout = TimeoutMs });
        Assert.That(await alert.InnerTextAsync(), Does.Contain("not a video that ffmpeg can read"));
        Assert.That(await FocusedIdAsync(page), Is.EqualTo("error-title"));
        await ScreenshotAsync(page, "demo-error-phone.png", fullPage: false);
        await page.GetByRole(AriaRole.Button, new() { Name = "Start over" }).ClickAsync();
        await page.Locator("#step-welcome").WaitForAsync(new() { State = WaitForSelectorState.Visible });
        Assert.That(problems.Where(p => !p.Contains("415", StringComparison.Ordinal)), Is.Empty, "only the refused upload's 415 may show in the console");
    }

    private async Task<(IPage Page, List<string> Problems)> OpenAsync(ViewportSize viewport, bool mobile)
    {
        var context = await _browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = viewport, IsMobile = mobile, HasTouch = mobile });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(TimeoutMs);
        var problems = new List<string>();
        page.Console += (_, message) => { if (message.Type == "error") problems.Add(message.Text); };
        page.PageError += (_, error) => problems.Add(error);
        await page.GotoAsync(_server.BaseAddress.ToString());
        // The page has read /api/health once the recording length from the server shows.
        await page.WaitForFunctionAsync($"() => document.querySelector('.js-record-seconds').textContent === '{RecordingSeconds}'");
        return (page, problems);
    }

    private static async Task AssertResultShownAsync(IPage page, AnalysisResponse result)
    {
        await page.Locator("#step-result").WaitForAsync(new() { State = WaitForSelectorState.Visible });
        Assert.That(await FocusedIdAsync(page), Is.EqualTo("result-title"), "focus moves to the result");
        var meters = page.Locator("#traits [role=meter]");
        Assert.That(await meters.CountAsync(), Is.EqualTo(5));
        for (int t = 0; t < 5; t++)
        {
            Assert.That(await meters.Nth(t).GetAttributeAsync("aria-label"), Is.EqualTo(TraitPoles.All[t].Name));
            Assert.That(await meters.Nth(t).GetAttributeAsync("aria-valuenow"), Is.EqualTo(result.Traits[t].Score.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture)));
        }
        string traitsText = await page.Locator("#traits").InnerTextAsync();
        foreach (var pole in TraitPoles.All) Assert.That(traitsText, Does.Contain(pole.High).And.Contain(pole.Low));
        Assert.That(await page.Locator("#jobs .match").CountAsync(), Is.EqualTo(3));
        Assert.That(await page.Locator("#people .match").CountAsync(), Is.EqualTo(3));
        Assert.That(await page.Locator("#jobs .match h4").First.InnerTextAsync(), Does.StartWith(result.ClosestJobs[0].Name));
        Assert.That(await page.Locator("#people .match h4").First.InnerTextAsync(), Does.StartWith(result.ClosestPeople[0].Name));
        Assert.That(await page.Locator("#jobs .match").First.Locator(".mini").CountAsync(), Is.EqualTo(10), "five traits, yours and the profile's side by side");
        Assert.That(await page.Locator("#explain").IsVisibleAsync(), Is.True, "the server offers occlusion maps");
        Assert.That(await page.Locator("#explain-body").IsHiddenAsync(), Is.True, "the map is computed only when asked for");
    }

    private static Task<string> FocusedIdAsync(IPage page) => page.EvaluateAsync<string>("() => document.activeElement ? document.activeElement.id : ''");

    // WCAG 2 contrast of every visible text element against the first opaque background behind it.
    private static Task<string[]> ContrastProblemsAsync(IPage page) => page.EvaluateAsync<string[]>("""
        () => {
          const rgb = (c) => (c.match(/[\d.]+/g) || []).map(Number);
          const lum = ([r, g, b]) => {
            const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
            return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
          };
          const background = (el) => {
            for (let e = el; e; e = e.parentElement) {
              const c = rgb(getComputedStyle(e).backgroundColor);
              if (c.length === 3 || (c.length === 4 && c[3] === 1)) return c.slice(0, 3);
            }
            return [255, 255, 255];
          };
          const problems = [];
          for (const el of document.querySelectorAll('body *')) {
            if (!el.offsetParent || el.closest('[hidden],.visually-hidden')) continue;
            const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
            if (!own) continue;
            const fg = lum(rgb(getComputedStyle(el).color)), bg = lum(background(el));
            const ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
            if (ratio < 4.5) problems.push(`${el.tagName.toLowerCase()}.${el.className}: ${ratio.toFixed(2)}`);
          }
          return problems;
        }
        """);

    private static async Task ScreenshotAsync(IPage page, string name, bool fullPage)
    {
        string path = Path.Combine(TestFolders.Artifacts, name);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = fullPage });
        TestContext.AddTestAttachment(path, name);
        TestContext.Out.WriteLine($"screenshot: {path}");
    }

    private static float[] TraitArray(TraitLevels l) => [l.Extraversion, l.Agreeableness, l.Conscientiousness, l.Neuroticism, l.Openness];
}
