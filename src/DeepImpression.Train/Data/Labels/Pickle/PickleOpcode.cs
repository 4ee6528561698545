namespace DeepImpression.Train.Data.Labels.Pickle;

/// <summary>
/// The pickle opcodes that the ChaLearn annotation files use (protocol 2, as Python 2 wrote them), and the names
/// of the others, so that a refusal can say which one it met.
/// </summary>
internal static class PickleOpcode
{
    public const byte Proto = 0x80;
    public const byte EmptyDict = (byte)'}';
    public const byte Mark = (byte)'(';
    public const byte SetItems = (byte)'u';
    public const byte SetItem = (byte)'s';
    public const byte ShortBinString = (byte)'U';
    public const byte BinUnicode = (byte)'X';
    public const byte BinFloat = (byte)'G';
    public const byte BinPut = (byte)'q';
    public const byte LongBinPut = (byte)'r';
    public const byte BinGet = (byte)'h';
    public const byte LongBinGet = (byte)'j';
    public const byte Global = (byte)'c';
    public const byte Reduce = (byte)'R';
    public const byte Build = (byte)'b';
    public const byte BinInt = (byte)'J';
    public const byte BinInt1 = (byte)'K';
    public const byte None = (byte)'N';
    public const byte Tuple = (byte)'t';
    public const byte Tuple1 = 0x85;
    public const byte Tuple2 = 0x86;
    public const byte Tuple3 = 0x87;
    public const byte NewTrue = 0x88;
    public const byte NewFalse = 0x89;
    public const byte Stop = (byte)'.';

    private static readonly Dictionary<byte, string> Names = new()
    {
        // Read by PickleReader.
        [Proto] = "PROTO", [EmptyDict] = "EMPTY_DICT", [Mark] = "MARK", [SetItems] = "SETITEMS", [SetItem] = "SETITEM",
        [ShortBinString] = "SHORT_BINSTRING", [BinUnicode] = "BINUNICODE", [BinFloat] = "BINFLOAT", [BinPut] = "BINPUT",
        [LongBinPut] = "LONG_BINPUT", [BinGet] = "BINGET", [LongBinGet] = "LONG_BINGET", [Global] = "GLOBAL",
        [Reduce] = "REDUCE", [Build] = "BUILD", [BinInt] = "BININT", [BinInt1] = "BININT1", [None] = "NONE",
        [Tuple] = "TUPLE", [Tuple1] = "TUPLE1", [Tuple2] = "TUPLE2", [Tuple3] = "TUPLE3", [NewTrue] = "NEWTRUE",
        [NewFalse] = "NEWFALSE", [Stop] = "STOP",
        // Refused: named only for the message.
        [(byte)'0'] = "POP", [(byte)'2'] = "DUP", [(byte)'1'] = "POP_MARK", [(byte)'F'] = "FLOAT", [(byte)'I'] = "INT",
        [(byte)'L'] = "LONG", [(byte)'M'] = "BININT2", [(byte)'P'] = "PERSID", [(byte)'Q'] = "BINPERSID",
        [(byte)'S'] = "STRING", [(byte)'T'] = "BINSTRING", [(byte)'V'] = "UNICODE", [(byte)'a'] = "APPEND",
        [(byte)'e'] = "APPENDS", [(byte)'d'] = "DICT", [(byte)'g'] = "GET", [(byte)'i'] = "INST", [(byte)'l'] = "LIST",
        [(byte)']'] = "EMPTY_LIST", [(byte)')'] = "EMPTY_TUPLE", [(byte)'o'] = "OBJ", [(byte)'p'] = "PUT",
        [0x81] = "NEWOBJ", [0x82] = "EXT1", [0x83] = "EXT2", [0x84] = "EXT4", [0x8a] = "LONG1", [0x8b] = "LONG4",
        [(byte)'B'] = "BINBYTES", [(byte)'C'] = "SHORT_BINBYTES", [0x8c] = "SHORT_BINUNICODE", [0x8d] = "BINUNICODE8",
        [0x8e] = "BINBYTES8", [0x8f] = "EMPTY_SET", [0x90] = "ADDITEMS", [0x91] = "FROZENSET", [0x92] = "NEWOBJ_EX",
        [0x93] = "STACK_GLOBAL", [0x94] = "MEMOIZE", [0x95] = "FRAME", [0x96] = "BYTEARRAY8", [0x97] = "NEXT_BUFFER",
        [0x98] = "READONLY_BUFFER",
    };

    /// <summary>The opcode's pickle name and byte, e.g. <c>GLOBAL (0x63)</c>; an unknown byte is shown as hex.</summary>
    public static string Describe(byte opcode) =>
        Names.TryGetValue(opcode, out var name) ? $"{name} (0x{opcode:x2})" : $"0x{opcode:x2} (not a pickle opcode)";
}
