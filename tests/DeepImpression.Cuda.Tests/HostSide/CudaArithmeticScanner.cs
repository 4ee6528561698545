using System.Text;
using System.Text.RegularExpressions;

namespace DeepImpression.Cuda.Tests.HostSide;

/// <summary>
/// Finds floating-point arithmetic written with bare operators (<c>+ - * /</c> and their compound assignments) in
/// CUDA C source: the expressions NVRTC may contract into fused multiply-adds, or whose rounding is otherwise left to
/// the compiler. The kernels spell every floating-point operation as a round-to-nearest intrinsic (or <c>fmaf</c>
/// where the CPU fuses), so this must find nothing in them. Types come from the declarations in scope (parameters,
/// locals, struct fields), casts, literals and the return types of the functions called; integer and pointer
/// arithmetic passes. Preprocessor lines are not read (the kernels' one macro is integer index arithmetic).
/// </summary>
internal static partial class CudaArithmeticScanner
{
    /// <summary>One bare floating-point operation: its line (1-based), its operator and the line's text.</summary>
    public sealed record Finding(int Line, string Operator, string Text)
    {
        public override string ToString() => $"line {Line}: '{Operator}' in {Text.Trim()}";
    }

    public static IReadOnlyList<Finding> Find(string source) => new Scan(source).Run();

    private enum Kind { Other, Floating, FloatingPointer }

    private enum TokenType { Identifier, Number, Punctuator, Text }

    private readonly record struct Token(TokenType Type, string Value, int Line);

    private static readonly HashSet<string> TypeWords =
        ["void", "char", "short", "int", "long", "float", "double", "unsigned", "signed", "bool", "size_t"];

    private static readonly HashSet<string> Qualifiers =
    [
        "const", "volatile", "static", "extern", "inline", "register", "__device__", "__global__", "__host__", "__shared__",
        "__constant__", "__restrict__", "__forceinline__", "__noinline__",
    ];

    private static readonly HashSet<string> Keywords = ["if", "else", "for", "while", "do", "return", "switch", "case", "break", "continue", "sizeof", "struct"];

    /// <summary>Functions returning a floating-point value whatever their arguments.</summary>
    private static readonly HashSet<string> FloatingFunctions =
    [
        "fmaf", "fma", "__fmaf_rn", "__fma_rn", "__fadd_rn", "__fsub_rn", "__fmul_rn", "__fdiv_rn", "__fsqrt_rn", "__frcp_rn",
        "__dadd_rn", "__dsub_rn", "__dmul_rn", "__ddiv_rn", "__dsqrt_rn", "sqrtf", "sqrt", "fabsf", "fabs", "expf", "exp",
        "logf", "log", "tanhf", "tanh", "powf", "pow", "floorf", "floor", "ceilf", "ceil", "rsqrtf", "__int_as_float",
    ];

    private static readonly HashSet<string> ArithmeticOperators = ["+", "-", "*", "/", "+=", "-=", "*=", "/="];

    private static readonly HashSet<string> OtherBinaryOperators =
        ["%", "<<", ">>", "&", "|", "^", "&&", "||", "<", ">", "<=", ">=", "==", "!=", "=", "%=", "<<=", ">>=", "&=", "|=", "^="];

    private static readonly HashSet<string> ComparisonOperators = ["<", ">", "<=", ">=", "==", "!=", "&&", "||", "!"];

    [GeneratedRegex(@"^(0[xX][0-9a-fA-F]+[uUlL]*|([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?[fFuUlL]*)$")]
    private static partial Regex NumberPattern();

    private sealed class Scan
    {
        private readonly List<Token> _tokens;
        private readonly string[] _lines;
        private readonly List<Finding> _findings = [];
        private readonly HashSet<int> _reported = [];
        private readonly List<Dictionary<string, Kind>> _scopes = [new()];
        private readonly Dictionary<string, Kind> _fields = new(StringComparer.Ordinal);
        private readonly Dictionary<string, Kind> _functions = new(StringComparer.Ordinal);
        private readonly HashSet<string> _structs = new(StringComparer.Ordinal);

        public Scan(string source)
        {
            var cleaned = WithoutCommentsAndDirectives(source);
            _lines = cleaned.Split('\n');
            _tokens = Tokenize(cleaned);
        }

        public IReadOnlyList<Finding> Run()
        {
            Dictionary<string, Kind>? pendingParameters = null;
            var structBodies = new Stack<bool>();
            int pos = 0;
            while (pos < _tokens.Count)
            {
                var t = _tokens[pos];
                if (t.Value == "{")
                {
                    bool isStruct = pos >= 2 && _tokens[pos - 2].Value == "struct";
                    structBodies.Push(isStruct);
                    _scopes.Add(pendingParameters ?? new());
                    pendingParameters = null;
                    pos++;
                    continue;
                }
                if (t.Value == "}")
                {
                    if (_scopes.Count > 1) _scopes.RemoveAt(_scopes.Count - 1);
                    if (structBodies.Count > 0) structBodies.Pop();
                    pos++;
                    continue;
                }
                if (t.Value == "struct" && pos + 1 < _tokens.Count && _tokens[pos + 1].Type == TokenType.Identifier)
                {
                    _structs.Add(_tokens[pos + 1].Value);
                    pos += 2;
                    continue;
                }
                if (t.Value is ";" or "," or ")" or "(" or ":" || t.Type == TokenType.Text || Keywords.Contains(t.Value) || Qualifiers.Contains(t.Value))
                {
                    // '(' here opens a for/if/while header: its declarations and expressions are read as statements.
                    if (t.Value == ";") pendingParameters = null;
                    pos++;
                    continue;
                }
                if (IsTypeStart(pos))
                {
                    pos = Declaration(pos, structBodies.Count > 0 && structBodies.Peek(), ref pendingParameters);
                    continue;
                }
                var (_, next) = Expression(pos);
                pos = Math.Max(next, pos + 1);
            }
            return _findings;
        }

        // ---- declarations ------------------------------------------------------------------------------------------

        private bool IsTypeStart(int pos) => _tokens[pos].Type == TokenType.Identifier &&
                                             (TypeWords.Contains(_tokens[pos].Value) || _structs.Contains(_tokens[pos].Value));

        /// <summary>Reads a type and its declarators, recording each name's kind; returns where the statement's
        /// expressions (initializers) continue. A function declarator reads its parameters into a scope that its body
        /// opens.</summary>
        private int Declaration(int pos, bool inStruct, ref Dictionary<string, Kind>? pendingParameters)
        {
            var (floating, afterType) = BaseType(pos);
            pos = afterType;
            while (pos < _tokens.Count)
            {
                int stars = 0;
                while (pos < _tokens.Count && (_tokens[pos].Value is "*" or "&" || Qualifiers.Contains(_tokens[pos].Value)))
                {
                    if (_tokens[pos].Value == "*") stars++;
                    pos++;
                }
                if (pos >= _tokens.Count || _tokens[pos].Type != TokenType.Identifier) return pos;
                var name = _tokens[pos].Value;
                pos++;
                if (pos < _tokens.Count && _tokens[pos].Value == "(")
                {
                    _functions[name] = floating && stars == 0 ? Kind.Floating : Kind.Other;
                    pendingParameters = Parameters(ref pos);
                    return pos;
                }
                bool array = pos < _tokens.Count && _tokens[pos].Value == "[";
                var kind = !floating ? Kind.Other : stars > 0 || array ? Kind.FloatingPointer : Kind.Floating;
                _scopes[^1][name] = kind;
                if (inStruct) _fields[name] = kind;
                // The initializer (and any array size) is an expression in its own right.
                int end = SkipToDeclaratorEnd(pos);
                while (pos < end)
                {
                    if (_tokens[pos].Value is "=" or "[" or "]") { pos++; continue; }
                    var (_, next) = Expression(pos);
                    pos = Math.Max(next, pos + 1);
                }
                if (end >= _tokens.Count || _tokens[end].Value != ",") return end;
                pos = end + 1;
            }
            return pos;
        }

        private (bool Floating, int Next) BaseType(int pos)
        {
            bool floating = false;
            while (pos < _tokens.Count && (TypeWords.Contains(_tokens[pos].Value) || _structs.Contains(_tokens[pos].Value) || Qualifiers.Contains(_tokens[pos].Value)))
            {
                if (_tokens[pos].Value is "float" or "double") floating = true;
                pos++;
            }
            return (floating, pos);
        }

        private Dictionary<string, Kind> Parameters(ref int pos)
        {
            var parameters = new Dictionary<string, Kind>(StringComparer.Ordinal);
            int close = Match(pos);
            pos++;
            while (pos < close)
            {
                var (floating, next) = BaseType(pos);
                pos = next;
                int stars = 0;
                while (pos < close && (_tokens[pos].Value is "*" or "&" || Qualifiers.Contains(_tokens[pos].Value)))
                {
                    if (_tokens[pos].Value == "*") stars++;
                    pos++;
                }
                if (pos < close && _tokens[pos].Type == TokenType.Identifier)
                {
                    bool array = pos + 1 < close && _tokens[pos + 1].Value == "[";
                    parameters[_tokens[pos].Value] = !floating ? Kind.Other : stars > 0 || array ? Kind.FloatingPointer : Kind.Floating;
                }
                while (pos < close && _tokens[pos].Value != ",") pos++;
                pos++;
            }
            pos = close + 1;
            return parameters;
        }

        /// <summary>The index of the ',' ';' or unbalanced ')' that ends the declarator starting at <paramref name="pos"/>.</summary>
        private int SkipToDeclaratorEnd(int pos)
        {
            int depth = 0;
            for (; pos < _tokens.Count; pos++)
            {
                var v = _tokens[pos].Value;
                if (v is "(" or "[") depth++;
                else if (v is ")" or "]")
                {
                    if (depth == 0) return pos;
                    depth--;
                }
                else if (depth == 0 && v is "," or ";" or "{") return pos;
            }
            return pos;
        }

        // ---- expressions -------------------------------------------------------------------------------------------

        /// <summary>
        /// Reads an expression from <paramref name="pos"/> up to a ',' ';' or unbalanced closing token, reporting each
        /// arithmetic operator that has a floating-point operand, and returns the expression's kind and end. An
        /// expression with a comparison at its top has an integer value; a conditional has its branches' kind.
        /// </summary>
        private (Kind Kind, int Next) Expression(int pos)
        {
            var (kind, next) = Operand(pos);
            bool floating = kind == Kind.Floating, comparison = false;
            pos = next;
            while (pos < _tokens.Count)
            {
                var op = _tokens[pos].Value;
                if (op == "?")
                {
                    var (whenTrue, afterTrue) = Expression(pos + 1);
                    var whenFalse = Kind.Other;
                    pos = afterTrue;
                    if (pos < _tokens.Count && _tokens[pos].Value == ":") (whenFalse, pos) = Expression(pos + 1);
                    return (whenTrue == Kind.Floating || whenFalse == Kind.Floating ? Kind.Floating : Kind.Other, pos);
                }
                bool arithmetic = ArithmeticOperators.Contains(op);
                if (!arithmetic && !OtherBinaryOperators.Contains(op)) break;
                var (right, afterRight) = Operand(pos + 1);
                if (arithmetic && (kind == Kind.Floating || right == Kind.Floating)) Report(pos, op);
                comparison |= ComparisonOperators.Contains(op);
                floating |= right == Kind.Floating;
                kind = right;
                pos = afterRight;
            }
            return (!comparison && floating ? Kind.Floating : Kind.Other, pos);
        }

        /// <summary>One operand: prefix operators, a cast, a parenthesized expression, a call, an indexed element, a
        /// member, a name or a literal, with its kind and the position after it.</summary>
        private (Kind Kind, int Next) Operand(int pos)
        {
            if (pos >= _tokens.Count) return (Kind.Other, pos);
            var t = _tokens[pos];
            if (t.Value is "-" or "+" or "~" or "++" or "--" or "&") return Operand(pos + 1);
            if (t.Value == "!") return (Kind.Other, Operand(pos + 1).Next);
            if (t.Value == "*")
            {
                var (pointer, after) = Operand(pos + 1);
                return (pointer == Kind.FloatingPointer ? Kind.Floating : Kind.Other, after);
            }
            if (t.Value == "(")
            {
                int close = Match(pos);
                if (IsCast(pos + 1, close, out var castKind))
                {
                    var (_, after) = Operand(close + 1);
                    return (castKind, after);
                }
                var (inner, _) = Expression(pos + 1);
                return Postfix(inner, close + 1);
            }
            if (t.Type == TokenType.Number) return (IsFloatingLiteral(t.Value) ? Kind.Floating : Kind.Other, pos + 1);
            if (t.Type != TokenType.Identifier) return (Kind.Other, pos);
            if (t.Value == "sizeof")
            {
                int after = pos + 1 < _tokens.Count && _tokens[pos + 1].Value == "(" ? Match(pos + 1) + 1 : pos + 1;
                return (Kind.Other, after);
            }
            if (pos + 1 < _tokens.Count && _tokens[pos + 1].Value == "(")
            {
                int close = Match(pos + 1);
                bool anyFloating = false;
                int arg = pos + 2;
                while (arg < close)
                {
                    var (argKind, next) = Expression(arg);
                    anyFloating |= argKind == Kind.Floating;
                    arg = next < close && _tokens[next].Value == "," ? next + 1 : Math.Max(next, arg + 1);
                }
                var kind = FloatingFunctions.Contains(t.Value) ? Kind.Floating
                         : _functions.TryGetValue(t.Value, out var declared) ? declared
                         : anyFloating ? Kind.Floating : Kind.Other;   // min, max and unknown functions follow their arguments
                return Postfix(kind, close + 1);
            }
            return Postfix(Lookup(t.Value), pos + 1);
        }

        /// <summary>Indexing ([]: a floating pointer's element is floating) and member access (a field's kind).</summary>
        private (Kind Kind, int Next) Postfix(Kind kind, int pos)
        {
            while (pos < _tokens.Count)
            {
                var v = _tokens[pos].Value;
                if (v == "[")
                {
                    int close = Match(pos);
                    Expression(pos + 1);
                    kind = kind == Kind.FloatingPointer ? Kind.Floating : Kind.Other;
                    pos = close + 1;
                }
                else if (v is "." or "->" && pos + 1 < _tokens.Count)
                {
                    kind = _fields.GetValueOrDefault(_tokens[pos + 1].Value, Kind.Other);
                    pos += 2;
                }
                else if (v is "++" or "--") pos++;
                else break;
            }
            return (kind, pos);
        }

        private bool IsCast(int from, int close, out Kind kind)
        {
            kind = Kind.Other;
            if (from >= close) return false;
            bool floating = false;
            int stars = 0;
            for (int i = from; i < close; i++)
            {
                var v = _tokens[i].Value;
                if (v == "*") stars++;
                else if (TypeWords.Contains(v) || _structs.Contains(v) || Qualifiers.Contains(v)) floating |= v is "float" or "double";
                else return false;
            }
            kind = !floating ? Kind.Other : stars > 0 ? Kind.FloatingPointer : Kind.Floating;
            return true;
        }

        private Kind Lookup(string name)
        {
            for (int i = _scopes.Count - 1; i >= 0; i--)
                if (_scopes[i].TryGetValue(name, out var kind)) return kind;
            return Kind.Other;
        }

        private static bool IsFloatingLiteral(string number) =>
            !number.StartsWith("0x", StringComparison.OrdinalIgnoreCase) &&
            (number.Contains('.') || number.Contains('e') || number.Contains('E') || number.EndsWith('f') || number.EndsWith('F'));

        private int Match(int open)
        {
            int depth = 0;
            for (int i = open; i < _tokens.Count; i++)
            {
                var v = _tokens[i].Value;
                if (v is "(" or "[") depth++;
                else if (v is ")" or "]" && --depth == 0) return i;
            }
            return _tokens.Count - 1;
        }

        private void Report(int pos, string op)
        {
            if (!_reported.Add(pos)) return;
            int line = _tokens[pos].Line;
            _findings.Add(new Finding(line, op, _lines[line - 1]));
        }
    }

    // ---- text ----------------------------------------------------------------------------------------------------

    /// <summary>The source with comments and preprocessor lines blanked out, line breaks kept (for line numbers).</summary>
    private static string WithoutCommentsAndDirectives(string source)
    {
        var text = new StringBuilder(source.Length);
        for (int i = 0; i < source.Length; i++)
        {
            if (source[i] == '/' && i + 1 < source.Length && source[i + 1] == '/')
            {
                while (i < source.Length && source[i] != '\n') i++;
                if (i < source.Length) text.Append('\n');
            }
            else if (source[i] == '/' && i + 1 < source.Length && source[i + 1] == '*')
            {
                i += 2;
                while (i + 1 < source.Length && !(source[i] == '*' && source[i + 1] == '/'))
                {
                    if (source[i] == '\n') text.Append('\n');
                    i++;
                }
                i++;
            }
            else text.Append(source[i]);
        }
        var lines = text.ToString().Split('\n');
        bool continued = false;
        for (int i = 0; i < lines.Length; i++)
        {
            bool directive = continued || lines[i].TrimStart().StartsWith('#');
            continued = directive && lines[i].TrimEnd().EndsWith('\\');
            if (directive) lines[i] = "";
        }
        return string.Join('\n', lines);
    }

    private static readonly string[] Punctuators =
    [
        "<<=", ">>=", "->", "++", "--", "<<", ">>", "<=", ">=", "==", "!=", "&&", "||", "+=", "-=", "*=", "/=", "%=", "&=",
        "|=", "^=", "::",
    ];

    private static List<Token> Tokenize(string text)
    {
        var tokens = new List<Token>();
        int line = 1;
        for (int i = 0; i < text.Length;)
        {
            char c = text[i];
            if (c == '\n') { line++; i++; continue; }
            if (char.IsWhiteSpace(c)) { i++; continue; }
            if (char.IsLetter(c) || c == '_')
            {
                int start = i;
                while (i < text.Length && (char.IsLetterOrDigit(text[i]) || text[i] == '_')) i++;
                tokens.Add(new Token(TokenType.Identifier, text[start..i], line));
                continue;
            }
            if (char.IsAsciiDigit(c) || (c == '.' && i + 1 < text.Length && char.IsAsciiDigit(text[i + 1])))
            {
                int start = i;
                while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] == '.' ||
                                           (text[i] is '+' or '-' && text[i - 1] is 'e' or 'E' && !text[start..i].StartsWith("0x", StringComparison.OrdinalIgnoreCase))))
                    i++;
                var number = text[start..i];
                if (!NumberPattern().IsMatch(number)) throw new FormatException($"line {line}: unreadable number '{number}'");
                tokens.Add(new Token(TokenType.Number, number, line));
                continue;
            }
            if (c is '"' or '\'')
            {
                int start = i++;
                while (i < text.Length && text[i] != c) i += text[i] == '\\' ? 2 : 1;
                i++;
                tokens.Add(new Token(TokenType.Text, text[start..Math.Min(i, text.Length)], line));
                continue;
            }
            var punctuator = Punctuators.FirstOrDefault(p => string.CompareOrdinal(text, i, p, 0, p.Length) == 0) ?? c.ToString();
            tokens.Add(new Token(TokenType.Punctuator, punctuator, line));
            i += punctuator.Length;
        }
        return tokens;
    }
}
