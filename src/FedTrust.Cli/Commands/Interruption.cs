using System.CommandLine;
using System.Runtime.InteropServices;

namespace FedTrust.Cli.Commands;

/// <summary>
/// Which signal (SIGINT, SIGTERM) stopped the command, so that `run` can end with one line saying how to continue
/// the run and the exit code a shell expects (130, 143). Registered before System.CommandLine's own handlers (which
/// cancel the command and give it two seconds to finish), it only records the signal.
/// </summary>
internal static class Interruption
{
    private static readonly Lazy<List<PosixSignalRegistration>> Registrations = new(() =>
    {
        var registrations = new List<PosixSignalRegistration>();
        foreach (var signal in new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM })
        {
            try
            {
                registrations.Add(PosixSignalRegistration.Create(signal, Record));
            }
            catch (PlatformNotSupportedException)
            {
            }
        }
        return registrations;
    });

    private static int _signal;
    private static volatile Action<PosixSignal>? _announce;

    /// <summary>The signal received, or null.</summary>
    public static PosixSignal? Signal => Volatile.Read(ref _signal) switch
    {
        0 => null,
        var s => (PosixSignal)s,
    };

    /// <summary>Starts recording (once per process).</summary>
    public static void Watch() => _ = Registrations.Value;

    /// <summary>The shell's exit code for a process ended by <paramref name="signal"/>: 128 + its number.</summary>
    public static int ExitCode(PosixSignal signal) => signal == PosixSignal.SIGINT ? 130 : 143;

    /// <summary>
    /// The line `run` prints when interrupted: the folder can be continued with --resume (the same options, --out DIR
    /// and --resume), or, with no round finished yet, holds nothing to continue.
    /// </summary>
    public static string RunLine(PosixSignal signal, string dir, bool hasCheckpoint, IEnumerable<string> tokens)
    {
        var name = signal == PosixSignal.SIGINT ? "SIGINT" : "SIGTERM";
        if (!hasCheckpoint)
            return $"interrupted ({name}) before the first round finished: {dir} holds nothing to continue; run the same command again";
        var kept = new List<string>();
        using var e = tokens.GetEnumerator();
        while (e.MoveNext())
        {
            var token = e.Current;
            if (token is "--resume" or "--overwrite") continue;
            if (token is "--out" or "-o")
            {
                e.MoveNext();
                continue;
            }
            if (token.StartsWith("--out=", StringComparison.Ordinal) || token.StartsWith("--out:", StringComparison.Ordinal)) continue;
            kept.Add(Quote(token));
        }
        if (kept.Count == 0 || kept[0] != "run") kept.Insert(0, "run");
        return $"interrupted ({name}): {dir} can be continued with `fedtrust {string.Join(' ', kept)} --out {Quote(dir)} --resume`";
    }

    /// <summary>The command line's tokens as given (the verb first).</summary>
    public static IEnumerable<string> Tokens(ParseResult parse) => parse.Tokens.Select(t => t.Value);

    /// <summary>
    /// Until disposed, a signal prints <paramref name="line"/> as one `error:` line on <paramref name="error"/> at once,
    /// on the signal's own thread: the command may not get a thread to say it within System.CommandLine's 2 s while
    /// the trainers keep the thread pool busy.
    /// </summary>
    public static IDisposable Announce(TextWriter error, Func<PosixSignal, string> line)
    {
        _announce = signal =>
        {
            error.WriteLine("error: " + line(signal));
            error.Flush();
        };
        return new Silence();
    }

    private static void Record(PosixSignalContext context)
    {
        if (Interlocked.CompareExchange(ref _signal, (int)context.Signal, 0) == 0) _announce?.Invoke(context.Signal);
    }

    private sealed class Silence : IDisposable
    {
        public void Dispose() => _announce = null;
    }

    private static string Quote(string token) =>
        token.Length > 0 && token.All(c => char.IsAsciiLetterOrDigit(c) || "-_./=:,@+%".Contains(c)) ? token : "'" + token.Replace("'", "'\\''") + "'";
}
