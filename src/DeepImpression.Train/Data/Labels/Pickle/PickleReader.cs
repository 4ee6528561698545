using System.Buffers.Binary;
using System.Text;
using DeepImpression.Core;

namespace DeepImpression.Train.Data.Labels.Pickle;

/// <summary>
/// A safe unpickler for the ChaLearn annotation files: it knows exactly the opcodes those files use (see docs/DESIGN.md
/// section 3) and builds plain values from them. It never imports or calls anything: the only globals it accepts are
/// numpy's <c>scalar</c> and <c>dtype</c>, and it "calls" them by decoding a float64 from its 8 raw bytes itself.
/// Anything else is refused with an <see cref="InvalidInputException"/> naming the file, the opcode and its offset.
/// </summary>
internal sealed class PickleReader
{
    private const int HighestProtocol = 2;

    /// <summary>The annotation files nest two levels (a dict of dicts); this bound keeps everything that walks a value
    /// (messages included) shallow, whatever a file builds.</summary>
    public const int MaxDepth = 32;

    private readonly byte[] _data;
    private readonly string _source;
    private readonly List<object?> _stack = [];
    private readonly Stack<int> _marks = new();
    private readonly Dictionary<uint, object?> _memo = [];
    private int _position;
    private int _opcodeOffset;
    private byte _opcode;

    private PickleReader(byte[] data, string source)
    {
        _data = data;
        _source = source;
    }

    /// <summary>Reads the pickle in <paramref name="path"/>.</summary>
    public static object? ReadFile(string path)
    {
        if (!File.Exists(path)) throw new InvalidInputException($"{path}: file not found.");
        return Read(File.ReadAllBytes(path), path);
    }

    /// <summary>Reads a pickle held in memory; <paramref name="source"/> names it in messages.</summary>
    public static object? Read(byte[] data, string source) => new PickleReader(data, source).Run();

    private object? Run()
    {
        while (true)
        {
            if (_position >= _data.Length)
                throw new InvalidInputException($"{_source}: truncated: the pickle ends at byte {_data.Length} without its STOP opcode.");
            _opcodeOffset = _position;
            _opcode = _data[_position++];
            switch (_opcode)
            {
                case PickleOpcode.Proto:
                    var protocol = ReadByte();
                    if (protocol > HighestProtocol) throw Refuse($"pickle protocol {protocol} is not supported (the annotation files use protocol 2)");
                    break;
                case PickleOpcode.Stop:
                    if (_stack.Count != 1 || _marks.Count != 0) throw Refuse($"the pickle stops with {_stack.Count} values and {_marks.Count} open marks on the stack instead of one value");
                    return _stack[0];
                case PickleOpcode.Mark:
                    _marks.Push(_stack.Count);
                    break;
                case PickleOpcode.EmptyDict:
                    _stack.Add(new PickleDict());
                    break;
                case PickleOpcode.SetItem:
                {
                    var value = Pop();
                    var key = Pop();
                    var dict = TopDict();
                    dict.Add(key, value);
                    CheckDepth(dict.Depth);
                    break;
                }
                case PickleOpcode.SetItems:
                {
                    var items = PopToMark();
                    if (items.Count % 2 != 0) throw Refuse($"SETITEMS has an odd number of values ({items.Count})");
                    var dict = TopDict();
                    for (var i = 0; i < items.Count; i += 2) dict.Add(items[i], items[i + 1]);
                    CheckDepth(dict.Depth);
                    break;
                }
                case PickleOpcode.ShortBinString:
                    _stack.Add(new PickleBytes(ReadBytes(ReadByte()).ToArray()));
                    break;
                case PickleOpcode.BinUnicode:
                {
                    var length = ReadUInt32();
                    var bytes = ReadBytes(length);
                    try
                    {
                        _stack.Add(new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes));
                    }
                    catch (DecoderFallbackException)
                    {
                        throw Refuse("the unicode string is not valid UTF-8");
                    }
                    break;
                }
                case PickleOpcode.BinFloat:
                    _stack.Add(BinaryPrimitives.ReadDoubleBigEndian(ReadBytes(8)));
                    break;
                case PickleOpcode.BinInt:
                    _stack.Add((long)BinaryPrimitives.ReadInt32LittleEndian(ReadBytes(4)));
                    break;
                case PickleOpcode.BinInt1:
                    _stack.Add((long)ReadByte());
                    break;
                case PickleOpcode.None:
                    _stack.Add(null);
                    break;
                case PickleOpcode.NewTrue:
                    _stack.Add(true);
                    break;
                case PickleOpcode.NewFalse:
                    _stack.Add(false);
                    break;
                case PickleOpcode.BinPut:
                    Put(ReadByte());
                    break;
                case PickleOpcode.LongBinPut:
                    Put(ReadUInt32());
                    break;
                case PickleOpcode.BinGet:
                    Get(ReadByte());
                    break;
                case PickleOpcode.LongBinGet:
                    Get(ReadUInt32());
                    break;
                case PickleOpcode.Tuple:
                    _stack.Add(Checked(new PickleTuple(PopToMark())));
                    break;
                case PickleOpcode.Tuple1:
                case PickleOpcode.Tuple2:
                case PickleOpcode.Tuple3:
                    _stack.Add(Checked(new PickleTuple(PopMany(_opcode - PickleOpcode.Tuple1 + 1))));
                    break;
                case PickleOpcode.Global:
                    _stack.Add(ReadGlobal());
                    break;
                case PickleOpcode.Reduce:
                {
                    var arguments = Pop();
                    var callable = Pop();
                    _stack.Add(Reduce(callable, arguments));
                    break;
                }
                case PickleOpcode.Build:
                {
                    var state = Pop();
                    Build(Peek(), state);
                    break;
                }
                default:
                    throw Refuse("this opcode is not supported (the reader knows only the opcodes of the ChaLearn annotation files)");
            }
        }
    }

    private NumpyCallable ReadGlobal()
    {
        var module = ReadLine();
        var name = ReadLine();
        return (module, name) switch
        {
            ("numpy.core.multiarray" or "numpy._core.multiarray", "scalar") => NumpyCallable.Scalar,
            ("numpy", "dtype") => NumpyCallable.Dtype,
            _ => throw Refuse($"the global '{Printable(module)} {Printable(name)}' is not allowed (only numpy.core.multiarray.scalar and numpy.dtype, which rebuild numpy.float64 values)"),
        };
    }

    // REDUCE would call the callable with the arguments; the reader rebuilds the two known results itself.
    private object Reduce(object? callable, object? arguments)
    {
        if (callable is not NumpyCallable kind) throw Refuse($"REDUCE of {Describe(callable)} is not allowed (only numpy.float64 scalars are rebuilt)");
        if (arguments is not PickleTuple args) throw Refuse($"REDUCE needs a tuple of arguments, got {Describe(arguments)}");
        switch (kind)
        {
            case NumpyCallable.Dtype:
            {
                // numpy.dtype('f8', align, copy): align/copy are ints in Python 2 files, bools in Python 3 ones.
                var name = args.Count == 3 ? TextOf(args[0]) : null;
                if (name != "f8") throw Refuse($"only the numpy dtype 'f8' is supported, got dtype{Describe(args)}");
                return new NumpyDtype();
            }
            case NumpyCallable.Scalar:
            {
                if (args.Count != 2 || args[0] is not NumpyDtype dtype || args[1] is not PickleBytes { Value.Length: 8 } raw)
                    throw Refuse($"a numpy scalar needs (dtype f8, 8 bytes), got {Describe(args)}");
                return dtype.BigEndian ? BinaryPrimitives.ReadDoubleBigEndian(raw.Value) : BinaryPrimitives.ReadDoubleLittleEndian(raw.Value);
            }
            default:
                throw Refuse($"REDUCE of {kind} is not allowed");
        }
    }

    // BUILD sets an object's state; the only object that has one here is a dtype, whose state says its byte order.
    private void Build(object? target, object? state)
    {
        if (target is not NumpyDtype dtype) throw Refuse($"BUILD on {Describe(target)} is not allowed (only on a numpy dtype)");
        if (state is not PickleTuple { Count: >= 2 } tuple || TextOf(tuple[1]) is not { } order)
            throw Refuse($"a numpy dtype state must be a tuple with the byte order second, got {Describe(state)}");
        dtype.BigEndian = order switch
        {
            "<" or "=" or "|" => false,
            ">" => true,
            _ => throw Refuse($"unknown numpy byte order '{Printable(order)}'"),
        };
    }

    private PickleTuple Checked(PickleTuple tuple)
    {
        CheckDepth(tuple.Depth);
        return tuple;
    }

    private void CheckDepth(int depth)
    {
        if (depth > MaxDepth) throw Refuse($"values nested more than {MaxDepth} levels deep (the annotation files nest 2)");
    }

    private void Put(uint index)
    {
        _memo[index] = Peek();
    }

    private void Get(uint index)
    {
        if (!_memo.TryGetValue(index, out var value)) throw Refuse($"memo entry {index} was never stored");
        _stack.Add(value);
    }

    private PickleDict TopDict() =>
        Peek() as PickleDict ?? throw Refuse($"expected a dict below the items, got {Describe(Peek())}");

    private object? Peek()
    {
        if (_stack.Count == 0 || (_marks.Count > 0 && _marks.Peek() == _stack.Count)) throw Refuse("the stack is empty");
        return _stack[^1];
    }

    private object? Pop()
    {
        var value = Peek();
        _stack.RemoveAt(_stack.Count - 1);
        return value;
    }

    private List<object?> PopMany(int count)
    {
        var floor = _marks.Count > 0 ? _marks.Peek() : 0;
        if (_stack.Count - floor < count) throw Refuse($"needs {count} values on the stack, has {_stack.Count - floor}");
        var items = _stack.GetRange(_stack.Count - count, count);
        _stack.RemoveRange(_stack.Count - count, count);
        return items;
    }

    private List<object?> PopToMark()
    {
        if (_marks.Count == 0) throw Refuse("no MARK to collect the values from");
        var mark = _marks.Pop();
        var items = _stack.GetRange(mark, _stack.Count - mark);
        _stack.RemoveRange(mark, _stack.Count - mark);
        return items;
    }

    private byte ReadByte() => ReadBytes(1)[0];

    private uint ReadUInt32() => BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(4));

    private ReadOnlySpan<byte> ReadBytes(long count)
    {
        if (count > _data.Length - _position)
            throw new InvalidInputException(
                $"{_source}: truncated: the pickle ends at byte {_data.Length}, inside opcode {PickleOpcode.Describe(_opcode)} at byte {_opcodeOffset}.");
        var span = _data.AsSpan(_position, (int)count);
        _position += (int)count;
        return span;
    }

    private string ReadLine()
    {
        var end = Array.IndexOf(_data, (byte)'\n', _position);
        if (end < 0)
            throw new InvalidInputException(
                $"{_source}: truncated: the pickle ends at byte {_data.Length}, inside opcode {PickleOpcode.Describe(_opcode)} at byte {_opcodeOffset}.");
        var line = Encoding.Latin1.GetString(_data, _position, end - _position);
        _position = end + 1;
        return line;
    }

    private InvalidInputException Refuse(string problem) =>
        new($"{_source}: opcode {PickleOpcode.Describe(_opcode)} at byte {_opcodeOffset}: {problem}.");

    private static string? TextOf(object? value) => value switch
    {
        PickleBytes bytes => bytes.AsText(),
        string text => text,
        _ => null,
    };

    // Messages show a value to a few levels and items only: a hostile file's values are deep and wide.
    private static string Describe(object? value) => Describe(value, 3);

    private static string Describe(object? value, int levels) => value switch
    {
        null => "None",
        PickleBytes bytes => $"'{Printable(bytes.AsText())}'",
        string text => $"u'{Printable(text)}'",
        PickleTuple when levels == 0 => "(...)",
        PickleTuple tuple => "(" + string.Join(", ", tuple.Items.Take(4).Select(v => Describe(v, levels - 1)))
                                 + (tuple.Count > 4 ? $", ... {tuple.Count} items" : "") + ")",
        PickleDict => "a dict",
        NumpyDtype => "dtype('f8')",
        NumpyCallable callable => $"numpy {callable.ToString().ToLowerInvariant()}",
        bool flag => flag ? "True" : "False",
        double number => number.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
        _ => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "?",
    };

    // Keeps a message on one line and readable whatever bytes a corrupt file holds.
    private static string Printable(string text)
    {
        var builder = new StringBuilder(Math.Min(text.Length, 60));
        foreach (var c in text.Take(60)) builder.Append(c is >= ' ' and <= '~' ? c : '?');
        if (text.Length > 60) builder.Append('…');
        return builder.ToString();
    }
}
