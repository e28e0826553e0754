using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using Akka.Actor;

namespace FedTrust.Actors.Serialization;

/// <summary>Writes one value of a wire message's body (see <see cref="WireWriter.Map{T}"/>).</summary>
internal delegate void WireValueWriter<in T>(ref WireWriter writer, T value);

/// <summary>
/// Writes the body of a wire message in <see cref="ProtocolSerializer"/>'s format, or only counts its bytes: the
/// same encoding code runs once on a <see cref="Measure"/> writer to learn the exact size, then once on a writer over
/// the buffer of that size, so a payload is one allocation and its size can never disagree with its bytes.
/// Every field is named, so a value that cannot be written (null, a lone UTF-16 surrogate) says which field.
/// </summary>
internal ref struct WireWriter
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly Span<byte> _buffer;
    private readonly bool _measuring;
    private readonly string _message;
    private int _position;

    private WireWriter(Span<byte> buffer, bool measuring, string message)
    {
        _buffer = buffer;
        _measuring = measuring;
        _message = message;
    }

    /// <summary>A writer that only counts the bytes it would write; <paramref name="message"/> names the message in errors.</summary>
    public static WireWriter Measure(string message) => new([], measuring: true, message);

    /// <summary>A writer into <paramref name="buffer"/>, which must be exactly as large as measured.</summary>
    public static WireWriter Into(Span<byte> buffer, string message) => new(buffer, measuring: false, message);

    /// <summary>The bytes written (or counted) so far.</summary>
    public readonly int Position => _position;

    public void Byte(byte value)
    {
        if (!_measuring) _buffer[_position] = value;
        _position += 1;
    }

    public void Bool(bool value) => Byte(value ? (byte)1 : (byte)0);

    public void Int32(int value)
    {
        if (!_measuring) BinaryPrimitives.WriteInt32LittleEndian(_buffer[_position..], value);
        _position += sizeof(int);
    }

    public void Double(double value)
    {
        if (!_measuring) BinaryPrimitives.WriteDoubleLittleEndian(_buffer[_position..], value);
        _position += sizeof(double);
    }

    /// <summary>An enum as its int32 value; a value the enum does not define is refused.</summary>
    public void Enum<TEnum>(TEnum value, string field) where TEnum : struct, Enum
    {
        if (!System.Enum.IsDefined(value)) throw Refuse(field, $"= {value} is not a defined {typeof(TEnum).Name}");
        Int32(Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>A presence byte (0 absent, 1 present), then the value if present.</summary>
    public void NullableInt32(int? value)
    {
        Bool(value.HasValue);
        if (value is { } v) Int32(v);
    }

    /// <inheritdoc cref="NullableInt32"/>
    public void NullableDouble(double? value)
    {
        Bool(value.HasValue);
        if (value is { } v) Double(v);
    }

    /// <summary>The UTF-8 byte count as int32, then the bytes. A null string or one that is not valid UTF-16 is refused.</summary>
    public void String(string? value, string field)
    {
        if (value is null) throw Refuse(field, "is null");
        try
        {
            if (_measuring)
            {
                _position += sizeof(int) + Utf8.GetByteCount(value);
                return;
            }
            var length = Utf8.GetBytes(value, _buffer[(_position + sizeof(int))..]);
            Int32(length);
            _position += length;
        }
        catch (EncoderFallbackException e)
        {
            throw Refuse(field, $"is not valid Unicode ({e.Message})");
        }
    }

    /// <summary>
    /// The count as int32, then every value as IEEE-754 binary32 little-endian, copied in bulk (byte-swapped in bulk
    /// on a big-endian host), so NaN payloads, −0 and subnormals cross bit for bit.
    /// </summary>
    public void Floats(float[]? values, string field)
    {
        if (values is null) throw Refuse(field, "is null");
        Int32(values.Length);
        var bytes = values.Length * sizeof(float);
        if (!_measuring)
        {
            var target = _buffer.Slice(_position, bytes);
            if (BitConverter.IsLittleEndian)
                MemoryMarshal.AsBytes(values.AsSpan()).CopyTo(target);
            else
                BinaryPrimitives.ReverseEndianness(MemoryMarshal.Cast<float, int>(values.AsSpan()), MemoryMarshal.Cast<byte, int>(target));
        }
        _position += bytes;
    }

    /// <summary>The reference's full path with its uid (<see cref="Akka.Serialization.Serialization.SerializedActorPath"/>) as a string.</summary>
    public void ActorRef(IActorRef? value, string field)
    {
        if (value is null) throw Refuse(field, "is null");
        String(Akka.Serialization.Serialization.SerializedActorPath(value), field);
    }

    /// <summary>The count as int32, then each item in order.</summary>
    public void List(IReadOnlyList<string>? items, string field)
    {
        if (items is null) throw Refuse(field, "is null");
        Int32(items.Count);
        for (var i = 0; i < items.Count; i++) String(items[i], $"{field}[{i}]");
    }

    /// <summary>The count as int32, then each entry (key, value) in ordinal key order, so equal maps give equal bytes.</summary>
    public void Map<T>(IReadOnlyDictionary<string, T>? map, string field, WireValueWriter<T> writeValue)
    {
        if (map is null) throw Refuse(field, "is null");
        Int32(map.Count);
        foreach (var (key, value) in map.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            String(key, $"{field} key");
            if (value is null) throw Refuse($"{field}[{key}]", "is null");
            writeValue(ref this, value);
        }
    }

    /// <summary>Checks that the buffer was filled exactly (a mismatch is a bug in the encoder, never in the input).</summary>
    public readonly void Finish()
    {
        if (!_measuring && _position != _buffer.Length)
            throw new InvalidOperationException($"{_message}: wrote {_position} bytes into a payload measured at {_buffer.Length}");
    }

    private readonly ArgumentException Refuse(string field, string problem) =>
        new($"{nameof(ProtocolSerializer)} cannot serialize {_message}: {field} {problem}");
}
