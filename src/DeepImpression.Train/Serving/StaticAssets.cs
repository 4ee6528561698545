using System.Security.Cryptography;

namespace DeepImpression.Train.Serving;

/// <summary>One file of the page: its bytes, content type and entity tag.</summary>
internal sealed record StaticAsset(byte[] Content, string ContentType, string ETag);

/// <summary>
/// The demo page (Serving/wwwroot: plain HTML, CSS and JavaScript, nothing fetched from elsewhere), read from the
/// assembly's embedded resources so that the packaged tool serves it wherever it is installed.
/// </summary>
internal static class StaticAssets
{
    private const string Prefix = "wwwroot/";

    private static readonly Dictionary<string, string> ContentTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        [".html"] = "text/html; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".svg"] = "image/svg+xml",
        [".png"] = "image/png",
        [".ico"] = "image/x-icon",
        [".webmanifest"] = "application/manifest+json",
    };

    private static readonly Lazy<IReadOnlyDictionary<string, StaticAsset>> Loaded = new(Load);

    /// <summary>Every file by its URL path (<c>/</c> is <c>index.html</c>).</summary>
    public static IReadOnlyDictionary<string, StaticAsset> All => Loaded.Value;

    private static IReadOnlyDictionary<string, StaticAsset> Load()
    {
        var assembly = typeof(StaticAssets).Assembly;
        var assets = new Dictionary<string, StaticAsset>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var bytes = copy.ToArray();
            string path = "/" + name[Prefix.Length..].Replace('\\', '/');
            string type = ContentTypes.GetValueOrDefault(Path.GetExtension(path), "application/octet-stream");
            assets[path] = new StaticAsset(bytes, type, $"\"{Convert.ToHexStringLower(SHA256.HashData(bytes))[..16]}\"");
        }
        if (assets.TryGetValue("/index.html", out var index)) assets["/"] = index;
        return assets;
    }
}
