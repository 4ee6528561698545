using System.Buffers.Binary;
using System.Text;

namespace DeepImpression.Train.Data.Labels.Pickle;

/// <summary>
/// Emits protocol-2 pickle opcodes the way Python 2's pickler does: binary forms, memo entries numbered from 0 in
/// the order objects are stored, BINPUT/BINGET below 256 and their LONG_ forms above.
/// </summary>
internal sealed class PickleWriter(Stream stream)
{
    private readonly Stream _stream = stream;
    private readonly byte[] _scratch = new byte[8];
    private uint _nextMemo;

    public void Proto(byte protocol)
    {
        _stream.WriteByte(PickleOpcode.Proto);
        _stream.WriteByte(protocol);
    }

    /// <summary>Stores the value on top of the stack in the next memo entry and returns that entry's index.</summary>
    public uint Memoize()
    {
        var index = _nextMemo++;
        WriteIndexed(index < 256 ? PickleOpcode.BinPut : PickleOpcode.LongBinPut, index);
        return index;
    }

    /// <summary>Pushes memo entry <paramref name="index"/> again.</summary>
    public void Get(uint index) => WriteIndexed(index < 256 ? PickleOpcode.BinGet : PickleOpcode.LongBinGet, index);

    public void Op(byte opcode) => _stream.WriteByte(opcode);

    /// <summary>A Python 2 <c>str</c> shorter than 256 bytes.</summary>
    public void ShortBinString(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length > 255) throw new ArgumentException($"SHORT_BINSTRING holds at most 255 bytes, got {bytes.Length}.", nameof(bytes));
        _stream.WriteByte(PickleOpcode.ShortBinString);
        _stream.WriteByte((byte)bytes.Length);
        _stream.Write(bytes);
    }

    public void ShortBinString(string ascii) => ShortBinString(Encoding.ASCII.GetBytes(ascii));

    /// <summary>A Python float: 8 bytes, big-endian.</summary>
    public void BinFloat(double value)
    {
        _stream.WriteByte(PickleOpcode.BinFloat);
        BinaryPrimitives.WriteDoubleBigEndian(_scratch, value);
        _stream.Write(_scratch, 0, 8);
    }

    /// <summary>An int the way Python 2 picks its form: BININT1 for 0..255, else (for these files) BININT.</summary>
    public void Int(int value)
    {
        if (value is >= 0 and <= 255)
        {
            _stream.WriteByte(PickleOpcode.BinInt1);
            _stream.WriteByte((byte)value);
            return;
        }
        if (value is >= 256 and <= 65535) throw new ArgumentException("BININT2 is not among the opcodes of the annotation files.", nameof(value));
        _stream.WriteByte(PickleOpcode.BinInt);
        BinaryPrimitives.WriteInt32LittleEndian(_scratch, value);
        _stream.Write(_scratch, 0, 4);
    }

    public void Global(string module, string name)
    {
        _stream.WriteByte(PickleOpcode.Global);
        _stream.Write(Encoding.ASCII.GetBytes($"{module}\n{name}\n"));
    }

    private void WriteIndexed(byte opcode, uint index)
    {
        _stream.WriteByte(opcode);
        if (index < 256)
        {
            _stream.WriteByte((byte)index);
            return;
        }
        BinaryPrimitives.WriteUInt32LittleEndian(_scratch, index);
        _stream.Write(_scratch, 0, 4);
    }
}
