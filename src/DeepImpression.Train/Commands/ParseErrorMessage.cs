using System.CommandLine;
using System.CommandLine.Parsing;

namespace DeepImpression.Train.Commands;

/// <summary>
/// The command line's parse errors as the one line every other bad input gets (<c>error: ...</c>, exit 2), in words:
/// <c>--epochs two</c> gives "--epochs 'two': expected a whole number", not the parser's type name
/// <c>System.Nullable`1[System.Int32]</c>.
/// </summary>
public static class ParseErrorMessage
{
    /// <summary>One line for all of <paramref name="result"/>'s errors, without the <c>error: </c> prefix.</summary>
    public static string Describe(ParseResult result)
    {
        var lines = result.Errors.Select(Describe).Distinct().ToList();
        string command = result.CommandResult.Command is RootCommand ? "deepimpression" : $"deepimpression {result.CommandResult.Command.Name}";
        return string.Join("; ", lines) + $" (see '{command} --help')";
    }

    private static string Describe(ParseError error)
    {
        if (error.SymbolResult is ArgumentResult argument && error.Message.StartsWith("Cannot parse argument", StringComparison.Ordinal))
        {
            string name = argument.Parent is OptionResult option ? option.Option.Name : argument.Argument.Name;
            string value = argument.Tokens.Count > 0 ? argument.Tokens[^1].Value : "";
            return $"{name} '{value}': expected {Kind(argument.Argument.ValueType)}";
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
