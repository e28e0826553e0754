using FedTrust.Actors.Protocol;

namespace FedTrust.Actors.Serialization;

/// <summary>Reads one whole wire message's body.</summary>
internal delegate T WireMessageReader<out T>(ref WireReader reader);

/// <summary>
/// One message type of <see cref="ProtocolSerializer"/>: its manifest, how its body is written and how it is read,
/// side by side so the two cannot drift apart.
/// </summary>
internal abstract class WireCase(Type type, string manifest)
{
    public Type Type { get; } = type;

    public string Manifest { get; } = manifest;

    public abstract void Write(ref WireWriter writer, IWireMessage message);

    public abstract IWireMessage Read(ref WireReader reader);

    /// <summary>The case of <typeparamref name="T"/>.</summary>
    public static WireCase Of<T>(string manifest, WireValueWriter<T> write, WireMessageReader<T> read) where T : IWireMessage =>
        new Typed<T>(manifest, write, read);

    private sealed class Typed<T>(string manifest, WireValueWriter<T> write, WireMessageReader<T> read) : WireCase(typeof(T), manifest)
        where T : IWireMessage
    {
        public override void Write(ref WireWriter writer, IWireMessage message) => write(ref writer, (T)message);

        public override IWireMessage Read(ref WireReader reader) => read(ref reader);
    }
}
