using System.Runtime.Serialization;
using Akka.Actor;
using Akka.Configuration;
using Akka.Persistence;
using Akka.Persistence.Query;
using Akka.Persistence.Sql.Query;
using Akka.Streams;
using Akka.Streams.Dsl;
using FedTrust.Actors.Protocol;

namespace FedTrust.Actors.Persistence;

/// <summary>
/// Reads a trust journal (SQLite file or PostgreSQL) through Akka.Persistence.Query without changing it:
/// which runs it holds, a run's events in order, and its snapshots.
/// </summary>
public sealed class TrustJournalReader : IAsyncDisposable
{
    public const string PersistenceIdPrefix = "trust-ledger-";

    /// <summary>The journal a run keeps in its folder by default (fedtrust.persistence.sqlite-file empty).</summary>
    private const string RunFolderJournal = "journal.db";

    private readonly ActorSystem _system;
    private readonly SqlReadJournal _journal;
    private readonly IMaterializer _materializer;

    private TrustJournalReader(string journal, Config config)
    {
        Journal = journal;
        _system = ActorSystem.Create("fedtrust-replay", config);
        _journal = PersistenceQuery.Get(_system).ReadJournalFor<SqlReadJournal>(SqlReadJournal.Identifier);
        _materializer = _system.Materializer();
    }

    /// <summary>The journal as given, for messages: a file path, or a connection string without its password.</summary>
    public string Journal { get; }

    /// <summary>
    /// Opens a journal for reading; a file that is missing or not a SQLite database is refused, untouched. Akka's own
    /// error log (a stack trace when a record cannot be read) is shown only when <paramref name="verbose"/>.
    /// <paramref name="defaults"/> is the configuration the reading actor system falls back to (FedTrustConfig.Defaults:
    /// the protocol's serializers and the journal plugin's settings), given by the caller so that persistence does not
    /// reach up into the configuration's composition.
    /// </summary>
    public static TrustJournalReader Open(string journal, Config defaults, bool verbose = false)
    {
        journal = InFolder(journal);
        var level = verbose ? "ERROR" : "OFF";
        var config = JournalSetup.ForReading(journal)
            .WithFallback(ConfigurationFactory.ParseString($"akka.loglevel = {level}\nakka.stdout-loglevel = {level}"))
            .WithFallback(defaults);
        return new TrustJournalReader(File.Exists(journal) ? journal : ConnectionStrings.Redact(journal), config);
    }

    /// <summary>
    /// A folder given as the journal: its journal.db (a run folder, as <c>run --out</c> leaves it), or an error saying
    /// it is a folder without one. Anything else is returned as given.
    /// </summary>
    private static string InFolder(string journal)
    {
        if (!Directory.Exists(journal)) return journal;
        var inside = Path.Combine(journal, RunFolderJournal);
        if (File.Exists(inside)) return inside;
        throw new JournalException(
            $"{Path.GetFullPath(journal)} is a folder without {RunFolderJournal}: give a journal file, or a run folder that holds {RunFolderJournal}");
    }

    /// <summary>The run ids in the journal (persistence ids trust-ledger-&lt;runId&gt;), in order.</summary>
    public async Task<IReadOnlyList<string>> RunIdsAsync(CancellationToken cancellation = default)
    {
        var ids = await Guarded(() => _journal.CurrentPersistenceIds().RunWith(Sink.Seq<string>(), _materializer), cancellation);
        return ids.Where(id => id.StartsWith(PersistenceIdPrefix, StringComparison.Ordinal))
            .Select(id => id[PersistenceIdPrefix.Length..]).Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// A run's events with their sequence numbers, in order. A record that cannot be read (corrupt, of an unknown
    /// version, not stored as bytes) is refused naming the run and its sequence number.
    /// </summary>
    public async Task<IReadOnlyList<(long SequenceNr, TrustChanged Event)>> EventsAsync(string runId, CancellationToken cancellation = default)
    {
        try
        {
            return await ReadAsync(runId, 0, long.MaxValue, cancellation);
        }
        catch (JournalException e) when (UnreadableRecord(e) is { } cause)
        {
            var at = await FirstUnreadableAsync(runId, cancellation);
            if (at is null) throw;
            throw new JournalException($"{Journal} (run {runId}): event {at} cannot be read: {cause.Message}", e);
        }
    }

    private async Task<IReadOnlyList<(long SequenceNr, TrustChanged Event)>> ReadAsync(string runId, long from, long to, CancellationToken cancellation)
    {
        var envelopes = await Guarded(() => _journal.CurrentEventsByPersistenceId(PersistenceIdPrefix + runId, from, to)
            .RunWith(Sink.Seq<EventEnvelope>(), _materializer), cancellation);
        return envelopes.Select(e => e.Event is TrustChanged changed
                ? (e.SequenceNr, changed)
                : throw new JournalException($"{Journal}: event {e.SequenceNr} of run {runId} is a {e.Event.GetType().Name}, not a trust event"))
            .ToList();
    }

    /// <summary>The failure of one record rather than of the journal: it could not be deserialized or was not stored as bytes.</summary>
    private static Exception? UnreadableRecord(Exception e)
    {
        for (var inner = e.InnerException; inner is not null; inner = inner.InnerException)
            if (inner is SerializationException or InvalidCastException) return inner;
        return null;
    }

    /// <summary>
    /// The sequence number of the run's first record that cannot be read: ranges after the last readable one, doubled
    /// until one fails, then halved. Null when every range reads (the failure did not come from one record).
    /// </summary>
    private async Task<long?> FirstUnreadableAsync(string runId, CancellationToken cancellation)
    {
        async Task<bool?> Reads(long from, long to)
        {
            try
            {
                return (await ReadAsync(runId, from, to, cancellation)).Count > 0;
            }
            catch (JournalException e) when (UnreadableRecord(e) is not null)
            {
                return null;
            }
        }

        long good = 0, bad = 1;
        while (await Reads(good + 1, bad) is { } any)
        {
            if (!any) return null; // past the last event, and everything read
            (good, bad) = (bad, bad * 2);
        }
        while (bad - good > 1)
        {
            var middle = good + (bad - good) / 2;
            if (await Reads(good + 1, middle) is null) bad = middle;
            else good = middle;
        }
        return bad;
    }

    /// <summary>A run's snapshots, newest first, asked of the snapshot store one by one.</summary>
    public async Task<IReadOnlyList<(long SequenceNr, TrustSnapshot Snapshot)>> SnapshotsAsync(string runId, CancellationToken cancellation = default)
    {
        var store = Akka.Persistence.Persistence.Instance.Apply(_system).SnapshotStoreFor(null);
        var snapshots = new List<(long, TrustSnapshot)>();
        var max = long.MaxValue;
        while (true)
        {
            var answer = await store.Ask<object>(new LoadSnapshot(PersistenceIdPrefix + runId, new SnapshotSelectionCriteria(max), long.MaxValue),
                TimeSpan.FromSeconds(30), cancellation);
            if (answer is LoadSnapshotFailed failed)
                throw new JournalException($"{Journal}: cannot read the snapshots of run {runId}: {failed.Cause.Message}", failed.Cause);
            if (answer is not LoadSnapshotResult { Snapshot: { } selected }) break;
            if (selected.Snapshot is not TrustSnapshot snapshot)
                throw new JournalException($"{Journal}: snapshot at sequence {selected.Metadata.SequenceNr} of run {runId} is not a trust snapshot");
            snapshots.Add((selected.Metadata.SequenceNr, snapshot));
            if (selected.Metadata.SequenceNr <= 1) break;
            max = selected.Metadata.SequenceNr - 1;
        }
        return snapshots;
    }

    private async Task<T> Guarded<T>(Func<Task<T>> query, CancellationToken cancellation)
    {
        try
        {
            return await query().WaitAsync(TimeSpan.FromMinutes(2), cancellation);
        }
        catch (Exception e) when (e is not JournalException and not OperationCanceledException)
        {
            var inner = e is AggregateException { InnerException: { } i } ? i : e;
            throw new JournalException($"{Journal}: cannot read the journal: {JournalSetup.Reason(inner)}", inner);
        }
    }

    public async ValueTask DisposeAsync() => await _system.Terminate();
}
