using System.CommandLine;
using System.CommandLine.Parsing;

namespace DeepImpression.Train.Commands;

/// <summary>
/// The command line's parse errors as the one line every other bad input gets (<c>error: ...</c>, exit 2), in words:
/// <c>--epochs two</c> gives "--epochs 'two': expected a whole number", not the parser's type name
/// <c>System.Nullable`1[System.Int32]</c>.
/// </summary>
internal static class ParseErrorMessage
{
    /// <summary>One line for all of <paramref name="result"/>'s errors, without the <c>error: </c> prefix.</summary>
    public static string Describe(ParseResult result)
    {
        var lines = result.Errors.Select(Describe).Distinct().ToList();
        // "Required command was not provided" says nothing more when a word the parser did not know is named too.
        if (lines.Count > 1) lines.RemoveAll(l => l.StartsWith("required command", StringComparison.Ordinal));
        string command = result.CommandResult.Command is RootCommand ? "deepimpression" : $"deepimpression {result.CommandResult.Command.Name}";
        return string.Join("; ", lines) + $" (see '{command} --help')";
    }

    private static string Describe(ParseError error)
    {
        if (error.Message.StartsWith("Cannot parse argument", StringComparison.Ordinal))
        {
            var (name, type) = error.SymbolResult switch
            {
                OptionResult o => (o.Option.Name, o.Option.ValueType),
                ArgumentResult { Parent: OptionResult o } => (o.Option.Name, o.Option.ValueType),
                ArgumentResult a => (a.Argument.Name, a.Argument.ValueType),
                _ => ((string?)null, (Type?)null),
            };
            var tokens = error.SymbolResult?.Tokens;
            if (name is not null && type is not null && tokens is { Count: > 0 })
                return $"{name} '{tokens[^1].Value}': expected {Kind(type)}";
        }
        string message = error.Message.TrimEnd('.');
        return message.Length > 0 ? char.ToLowerInvariant(message[0]) + message[1..] : "the command line could not be read";
    }

    private static string Kind(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type.IsArray) type = type.GetElementType()!;
        if (type == typeof(int) || type == typeof(long)) return "a whole number";
        if (type == typeof(uint) || type == typeof(ulong)) return "a whole number, 0 or more";
        if (type == typeof(double) || type == typeof(float)) return "a number";
        if (type == typeof(bool)) return "true or false";
        return $"a value of type {type.Name}";
    }
}
