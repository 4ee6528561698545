using System.Globalization;
using System.Text;

namespace DeepImpression.Core.Serialization;

/// <summary>
/// The header dict of an .npy file, a Python literal such as
/// <c>{'descr': '&lt;f4', 'fortran_order': False, 'shape': (32, 1, 1, 49), }</c>: parsed without evaluating
/// anything, and written as numpy writes it.
/// </summary>
internal sealed record NpyHeader(string Descr, bool FortranOrder, int[] Shape)
{
    /// <summary>numpy's spare room after the shape, so that an array's first dimension can grow in place.</summary>
    private const int GrowthAxisMaxDigits = 21;

    /// <summary>The dict text, padded as numpy pads it (before the alignment padding and the newline).</summary>
    public string Format()
    {
        var shape = Shape.Length switch
        {
            0 => "()",
            1 => $"({Shape[0]},)",
            _ => "(" + string.Join(", ", Shape) + ")",
        };
        var text = $"{{'descr': '{Descr}', 'fortran_order': {(FortranOrder ? "True" : "False")}, 'shape': {shape}, }}";
        if (Shape.Length > 0) text += new string(' ', Math.Max(0, GrowthAxisMaxDigits - Shape[FortranOrder ? ^1 : 0].ToString(CultureInfo.InvariantCulture).Length));
        return text;
    }

    /// <summary>Parses the dict; throws <see cref="FormatException"/> with the reason when it is not one numpy writes.</summary>
    public static NpyHeader Parse(string text)
    {
        var parser = new Parser(text);
        string? descr = null;
        bool? fortranOrder = null;
        int[]? shape = null;
        parser.Expect('{');
        while (!parser.TryTake('}'))
        {
            var key = parser.String();
            parser.Expect(':');
            switch (key)
            {
                case "descr":
                    descr = parser.Peek() == '[' ? throw new FormatException("structured dtypes are not supported") : parser.String();
                    break;
                case "fortran_order":
                    fortranOrder = parser.Boolean();
                    break;
                case "shape":
                    shape = parser.IntTuple();
                    break;
                default:
                    throw new FormatException($"unexpected key '{key}'");
            }
            if (!parser.TryTake(','))
            {
                parser.Expect('}');
                break;
            }
        }
        parser.ExpectEnd();
        return new NpyHeader(
            descr ?? throw new FormatException("no 'descr'"),
            fortranOrder ?? throw new FormatException("no 'fortran_order'"),
            shape ?? throw new FormatException("no 'shape'"));
    }

    /// <summary>A reader of the few Python literals a header holds: strings, True/False, tuples of ints.</summary>
    private sealed class Parser(string text)
    {
        private int _position;

        public char Peek()
        {
            SkipSpace();
            return _position < text.Length ? text[_position] : '\0';
        }

        public bool TryTake(char c)
        {
            if (Peek() != c) return false;
            _position++;
            return true;
        }

        public void Expect(char c)
        {
            if (!TryTake(c)) throw new FormatException($"expected '{c}' at character {_position}");
        }

        public void ExpectEnd()
        {
            if (Peek() != '\0') throw new FormatException($"unexpected text after the dict at character {_position}");
        }

        public string String()
        {
            var quote = Peek();
            if (quote is not ('\'' or '"')) throw new FormatException($"expected a string at character {_position}");
            var end = text.IndexOf(quote, _position + 1);
            if (end < 0) throw new FormatException("unterminated string");
            var value = text[(_position + 1)..end];
            _position = end + 1;
            return value;
        }

        public bool Boolean()
        {
            SkipSpace();
            foreach (var (word, value) in new[] { ("True", true), ("False", false) })
            {
                if (string.CompareOrdinal(text, _position, word, 0, word.Length) == 0)
                {
                    _position += word.Length;
                    return value;
                }
            }
            throw new FormatException($"expected True or False at character {_position}");
        }

        public int[] IntTuple()
        {
            Expect('(');
            var values = new List<int>();
            while (!TryTake(')'))
            {
                SkipSpace();
                var start = _position;
                while (_position < text.Length && char.IsAsciiDigit(text[_position])) _position++;
                if (_position == start) throw new FormatException($"expected a dimension at character {start}");
                if (!int.TryParse(text.AsSpan(start, _position - start), NumberStyles.None, CultureInfo.InvariantCulture, out var value))
                    throw new FormatException($"dimension {text[start.._position]} is too large");
                values.Add(value);
                // Python 2's numpy wrote long dimensions as 3L.
                if (_position < text.Length && text[_position] == 'L') _position++;
                if (!TryTake(','))
                {
                    Expect(')');
                    break;
                }
            }
            return [.. values];
        }

        private void SkipSpace()
        {
            while (_position < text.Length && text[_position] is ' ' or '\t' or '\n' or '\r') _position++;
        }
    }

    /// <summary>The magic, version, header length, dict and padding, as numpy 1.x writes them: version 1.0 unless the
    /// dict is too long for it, total length a multiple of 64 so that the data is aligned.</summary>
    public byte[] Encode()
    {
        const int alignment = 64;
        var dict = Encoding.Latin1.GetBytes(Format());
        foreach (var (major, lengthSize) in new[] { (1, 2), (2, 4) })
        {
            var prefix = 6 + 2 + lengthSize;
            var headerLength = dict.Length + 1;
            var padding = alignment - (prefix + headerLength) % alignment;
            var total = headerLength + padding;
            if (lengthSize == 2 && total > ushort.MaxValue) continue;
            var bytes = new byte[prefix + total];
            NpyFormat.Magic.CopyTo(bytes);
            bytes[6] = (byte)major;
            bytes[7] = 0;
            if (lengthSize == 2) System.Buffers.Binary.BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(8), (ushort)total);
            else System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(8), (uint)total);
            dict.CopyTo(bytes, prefix);
            bytes.AsSpan(prefix + dict.Length, padding).Fill((byte)' ');
            bytes[^1] = (byte)'\n';
            return bytes;
        }
        throw new InvalidOperationException("unreachable");
    }
}
