using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Runtime.Serialization;
using System.Text;
using Akka.Actor;

namespace FedTrust.Actors.Serialization;

/// <summary>Reads one value of a wire message's body (see <see cref="WireReader.Map{T}"/>).</summary>
internal delegate T WireValueReader<out T>(ref WireReader reader, string field);

/// <summary>
/// Reads the body of a wire message in <see cref="ProtocolSerializer"/>'s format. Every read is bounds-checked
/// before it touches the bytes: a field that runs past the end, a negative count, an invalid flag byte or invalid
/// UTF-8 throws <see cref="SerializationException"/> naming the message, the field and the offset, so a damaged
/// payload never yields an <see cref="IndexOutOfRangeException"/> or a partial message.
/// </summary>
internal ref struct WireReader
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly ReadOnlySpan<byte> _body;
    private readonly ExtendedActorSystem _system;
    private int _position;

    /// <param name="body">The body alone (after the header).</param>
    /// <param name="subject">What every error starts with, e.g. <c>fedtrust wire message 'local-update'</c>.</param>
    /// <param name="system">Resolves the actor references the message carries.</param>
    public WireReader(ReadOnlySpan<byte> body, string subject, ExtendedActorSystem system)
    {
        _body = body;
        _system = system;
        Subject = subject;
    }

    /// <summary>The message being read, as errors name it.</summary>
    public readonly string Subject { get; }

    /// <summary>The actor system that reads the message.</summary>
    public readonly ExtendedActorSystem System => _system;

    private readonly int Remaining => _body.Length - _position;

    public byte Byte(string field) => Take(1, field)[0];

    public bool Bool(string field) => Byte(field) switch
    {
        0 => false,
        1 => true,
        var b => throw Fail($"field {field}: flag byte {b} at offset {_position - 1} is neither 0 nor 1"),
    };

    public int Int32(string field) => BinaryPrimitives.ReadInt32LittleEndian(Take(sizeof(int), field));

    public double Double(string field) => BinaryPrimitives.ReadDoubleLittleEndian(Take(sizeof(double), field));

    public int? NullableInt32(string field) => Bool($"{field} (presence)") ? Int32(field) : null;

    public double? NullableDouble(string field) => Bool($"{field} (presence)") ? Double(field) : null;

    /// <summary>An int32 that must name a value of <typeparamref name="TEnum"/>.</summary>
    public TEnum Enum<TEnum>(string field) where TEnum : struct, Enum
    {
        var value = Int32(field);
        var result = (TEnum)(object)value;
        if (!global::System.Enum.IsDefined(result))
            throw Fail($"field {field}: {value} is not a defined {typeof(TEnum).Name} (this fedtrust knows " +
                       string.Join(", ", global::System.Enum.GetValues<TEnum>().Select(v => $"{Convert.ToInt32(v, CultureInfo.InvariantCulture)} {v}")) + ")");
        return result;
    }

    public string String(string field)
    {
        var length = Count(field, 1, "bytes");
        try
        {
            return Utf8.GetString(Take(length, field));
        }
        catch (DecoderFallbackException)
        {
            throw Fail($"field {field}: its {length} bytes are not valid UTF-8");
        }
    }

    /// <summary>A float32 array, copied in bulk into one array of the exact size (byte-swapped on a big-endian host).</summary>
    public float[] Floats(string field)
    {
        var count = Count(field, sizeof(float), "floats");
        var source = Take(count * sizeof(float), field);
        var result = GC.AllocateUninitializedArray<float>(count);
        source.CopyTo(MemoryMarshal.AsBytes(result.AsSpan()));
        if (!BitConverter.IsLittleEndian)
        {
            var bits = MemoryMarshal.Cast<float, int>(result.AsSpan());
            BinaryPrimitives.ReverseEndianness(bits, bits);
        }
        return result;
    }

    public IReadOnlyList<string> List(string field)
    {
        var count = Count(field, sizeof(int), "items");
        var items = new string[count];
        for (var i = 0; i < count; i++) items[i] = String($"{field}[{i}]");
        return items;
    }

    /// <summary>
    /// A count, then that many (key, value) entries, whose keys must be in strictly ascending ordinal order as
    /// <see cref="WireWriter.Map{T}"/> writes them: a repeated or misplaced key is refused, so every map has one encoding.
    /// </summary>
    public IReadOnlyDictionary<string, T> Map<T>(string field, int minValueBytes, WireValueReader<T> readValue)
    {
        var count = Count(field, sizeof(int) + minValueBytes, "entries");
        var map = new Dictionary<string, T>(count, StringComparer.Ordinal);
        string? previous = null;
        for (var i = 0; i < count; i++)
        {
            var key = String($"{field} key #{i}");
            var order = previous is null ? 1 : string.CompareOrdinal(key, previous);
            if (order == 0) throw Fail($"field {field}: key '{key}' appears twice");
            if (order < 0) throw Fail($"field {field}: key '{key}' after '{previous}' is out of ordinal order");
            map.Add(key, readValue(ref this, $"{field}[{key}]"));
            previous = key;
        }
        return map;
    }

    /// <summary>An actor path as written by <see cref="WireWriter.ActorRef"/>, resolved by this actor system.</summary>
    public IActorRef ActorRef(string field)
    {
        var path = String(field);
        if (path.Length == 0) throw Fail($"field {field}: empty actor path");
        try
        {
            return _system.Provider.ResolveActorRef(path);
        }
        catch (Exception e) when (e is FormatException or ArgumentException or OverflowException)
        {
            throw Fail($"field {field}: '{path}' is not an actor path ({e.Message})");
        }
    }

    /// <summary>Every byte not read yet (a nested payload, always the last field).</summary>
    public ReadOnlySpan<byte> Rest() => Take(Remaining, "rest");

    /// <summary>Every byte of the body must have been read: trailing bytes inside the body are refused too.</summary>
    public readonly void End()
    {
        if (Remaining != 0)
            throw Fail($"{Remaining} bytes left after the last field (offset {_position} of {_body.Length})");
    }

    /// <summary>An error naming this message and <paramref name="problem"/>.</summary>
    public readonly SerializationException Fail(string problem) => new($"{Subject}: {problem}");

    /// <summary>
    /// An int32 count that must be ≥ 0 and whose items, at <paramref name="minItemBytes"/> each, fit in what is left,
    /// so a corrupt count is refused before anything of its size is allocated.
    /// </summary>
    private int Count(string field, int minItemBytes, string unit)
    {
        var offset = _position;
        var count = Int32(field);
        if (count < 0)
            throw Fail($"field {field}: count {count} at offset {offset} is negative");
        if ((long)count * minItemBytes > Remaining)
            throw Fail($"field {field}: {count} {unit} at offset {offset} run past the end ({Remaining} bytes left)");
        return count;
    }

    private ReadOnlySpan<byte> Take(int length, string field)
    {
        if (length > Remaining)
            throw Fail($"field {field}: needs {length} bytes at offset {_position}, only {Remaining} left (truncated)");
        var bytes = _body.Slice(_position, length);
        _position += length;
        return bytes;
    }
}
