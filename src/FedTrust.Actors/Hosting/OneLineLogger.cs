using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Event;
using FedTrust.Actors.Persistence;

namespace FedTrust.Actors.Hosting;

/// <summary>
/// Akka's logger when the command line is not <c>--verbose</c>: each distinct error (and warning, when the log level
/// lets warnings through) becomes one line on stderr, <c>akka: &lt;level&gt; in &lt;actor&gt;: &lt;message&gt; (&lt;cause&gt;)</c>,
/// printed once however often it repeats (a broken journal can fail hundreds of times a second), without stack
/// traces, with passwords scrubbed; after <see cref="MaxLines"/> distinct lines the rest are counted, not printed.
/// The command's own <c>error: …</c> line still says what failed; <c>--verbose</c> restores Akka's full output.
/// </summary>
public sealed class OneLineLogger : ReceiveActor
{
    /// <summary>The most lines one process prints; the rest are suppressed.</summary>
    public const int MaxLines = 20;

    /// <summary>HOCON that installs this logger (and silences Akka's own stdout logger).</summary>
    public const string Configuration = """
        akka.loggers = ["FedTrust.Actors.Hosting.OneLineLogger, FedTrust.Actors"]
        akka.stdout-loglevel = OFF
        """;

    // Shared by every actor system of the process (a grid starts one per cell): a line is printed once per process.
    private static readonly ConcurrentDictionary<string, byte> Seen = new(StringComparer.Ordinal);
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<ActorSystem, object> Silenced = new();
    private static int _printed;
    private static int _suppressed;

    /// <summary>Where the lines go (stderr; tests may redirect it).</summary>
    public static TextWriter Output { get; set; } = Console.Error;

    public OneLineLogger()
    {
        Receive<InitializeLogger>(_ => Sender.Tell(new LoggerInitialized()));
        Receive<Error>(e => !Silenced.TryGetValue(Context.System, out _), e => Write("error", e, e.Cause));
        Receive<Warning>(e => !Silenced.TryGetValue(Context.System, out _), e => Write("warning", e, null));
        Receive<LogEvent>(_ => { });
    }

    /// <summary>
    /// From now on prints nothing for <paramref name="system"/>: a cluster node whose part is over leaves, and the
    /// other nodes going away then is no error ("Disassociated").
    /// </summary>
    public static void Silence(ActorSystem system) => Silenced.AddOrUpdate(system, new object());

    /// <summary>How many distinct lines were left out because <see cref="MaxLines"/> had been printed.</summary>
    public static int Suppressed => _suppressed;

    /// <summary>The one line for an event: its level, the actor's name, the message and the innermost cause.</summary>
    public static string Line(string level, string source, string message, Exception? cause)
    {
        // "akka://fedtrust/user/run/trust-ledger#123" → "trust-ledger"; a stream stage's "Flow(…)(akka://…/StreamSupervisor-3)" → "StreamSupervisor-3"
        var actor = source.Split('/', StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? source;
        var hash = actor.IndexOf('#');
        if (hash > 0) actor = actor[..hash];
        actor = actor.TrimEnd(')', ']');
        var text = message.ReplaceLineEndings(" ").Trim();
        if (cause is not null)
        {
            var reason = JournalSetup.Reason(cause);
            if (!text.Contains(reason, StringComparison.Ordinal)) text = text.Length == 0 ? reason : $"{text} ({reason})";
        }
        return ConnectionStrings.Scrub($"akka: {level} in {actor}: {text}");
    }

    private static void Write(string level, LogEvent e, Exception? cause)
    {
        var line = Line(level, e.LogSource ?? "", e.Message?.ToString() ?? "", cause);
        if (!Seen.TryAdd(line, 0)) return;
        if (Interlocked.Increment(ref _printed) > MaxLines)
        {
            Interlocked.Increment(ref _suppressed);
            return;
        }
        Output.WriteLine(line);
        Output.Flush();
    }
}
