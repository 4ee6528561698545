using System.Text.Json;
using DeepImpression.Core;

namespace DeepImpression.Train.Data;

/// <summary>
/// JSON that comes from files a user hands us (<c>cache.json</c>, <c>index.jsonl</c>, a run's <c>config.json</c>,
/// ffprobe's answer): nesting is bounded by <see cref="MaxDepth"/> (System.Text.Json reads without recursion over the
/// input, and refuses deeper documents), and every failure is one <see cref="InvalidInputException"/> line naming the
/// file and the place, never a <see cref="JsonException"/>.
/// </summary>
internal static class JsonInput
{
    /// <summary>Our files nest three levels at most; anything much deeper is not one of them.</summary>
    public const int MaxDepth = 16;

    /// <summary><paramref name="options"/> (or the defaults) with the depth bound.</summary>
    public static JsonSerializerOptions Bounded(JsonSerializerOptions? options = null) =>
        new(options ?? JsonSerializerOptions.Default) { MaxDepth = MaxDepth };

    /// <summary>Reads a <typeparamref name="T"/>; an empty, malformed, too deeply nested or <c>null</c> document is refused.</summary>
    public static T Deserialize<T>(ReadOnlySpan<byte> json, string source, JsonSerializerOptions options)
    {
        if (options.MaxDepth is 0 or > MaxDepth) throw new ArgumentException("Use JsonInput.Bounded options.", nameof(options));
        try
        {
            return JsonSerializer.Deserialize<T>(json, options) ?? throw new InvalidInputException($"{source}: the JSON is null, not an object.");
        }
        catch (JsonException e)
        {
            throw Problem(source, e);
        }
    }

    /// <summary>Reads a <typeparamref name="T"/> from text, as <see cref="Deserialize{T}(ReadOnlySpan{byte}, string, JsonSerializerOptions)"/>.</summary>
    public static T Deserialize<T>(string json, string source, JsonSerializerOptions options) =>
        Deserialize<T>(System.Text.Encoding.UTF8.GetBytes(json), source, options);

    /// <summary>Parses a document with the depth bound.</summary>
    public static JsonDocument Parse(string json, string source)
    {
        try
        {
            return JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = MaxDepth });
        }
        catch (JsonException e)
        {
            throw Problem(source, e);
        }
    }

    /// <summary>One line: where the JSON went wrong and why, without System.Text.Json's path and position suffix.</summary>
    public static InvalidInputException Problem(string source, JsonException e)
    {
        string reason = Reason(e);
        if (reason == Empty) return new InvalidInputException($"{source}: empty; expected a JSON object.", e);
        string where = e.LineNumber is { } line ? $" at line {line + 1}" + (e.BytePositionInLine is { } b ? $", byte {b + 1}" : "") : "";
        return new InvalidInputException($"{source}: not valid JSON{where}: {reason}.", e);
    }

    /// <summary>Why System.Text.Json refused a document, in a few words (no path, position or type names).</summary>
    public static string Reason(JsonException e)
    {
        string reason = e.Message;
        int cut = reason.IndexOf(" Path:", StringComparison.Ordinal);
        if (cut < 0) cut = reason.IndexOf(" LineNumber:", StringComparison.Ordinal);
        if (cut > 0) reason = reason[..cut];
        reason = reason.Trim().TrimEnd('.');
        if (reason.Contains("does not contain any JSON tokens", StringComparison.Ordinal)) return Empty;
        if (reason.Contains("maximum configured depth", StringComparison.Ordinal)) return $"nested deeper than {MaxDepth} levels";
        // "The property or field 'clip' on type 'DeepImpression...ClipCacheEntry' doesn't allow setting null values."
        var nullField = System.Text.RegularExpressions.Regex.Match(reason, "property or field '([^']*)'.*null");
        if (nullField.Success) return $"'{nullField.Groups[1].Value}' is null";
        var missing = System.Text.RegularExpressions.Regex.Match(reason, "missing required properties including: (.*)$");
        if (missing.Success) return $"missing {missing.Groups[1].Value}";
        // Type names mean nothing to the user: "could not be converted to DeepImpression.Train...ClipCacheEntry".
        return System.Text.RegularExpressions.Regex.Replace(reason, @"'?\b(?:[A-Za-z_][\w`]*\.)+([A-Za-z_]\w*)'?", "$1").Replace("The JSON value could not be converted to", "not a");
    }

    private const string Empty = "empty";
}
